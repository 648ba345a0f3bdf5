"""Root URL configuration: each domain app mounts its own URLs."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("switchboard.core.urls")),
    path("", include("switchboard.accounts.urls")),
    path("", include("switchboard.telephony.urls")),
    path("", include("switchboard.pbx.urls")),
    path("", include("switchboard.ivr.urls")),
    path("", include("switchboard.voicemail.urls")),
    path("", include("switchboard.forwards.urls")),
    path("", include("switchboard.records.urls")),
    path("", include("switchboard.records.import_urls")),
    path("", include("switchboard.media.urls")),
    path("", include("switchboard.stats.urls")),
    path("", include("switchboard.billing.urls")),
    path("", include("switchboard.agents.urls")),
    path("", include("switchboard.directory.urls")),
    path("", include("switchboard.desk.urls")),
    path("", include("switchboard.callbacks.urls")),
    path("", include("switchboard.api.urls")),
    path("", include("switchboard.chat.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
