"""Pages of the voicemail boxes (administrators)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.voicemail.forms import VoicemailBoxForm
from switchboard.voicemail.models import VoicemailBox


def _owner(box: VoicemailBox) -> str:
    return str(box.phone.user or "—")


class VoicemailBoxListView(ObjectListView):
    model = VoicemailBox
    columns = (
        Column("phone", gettext_lazy("Box (extension)"), sort="phone__extension", link=True),
        Column("owner", gettext_lazy("User"), value=_owner, sort="phone__user__username"),
        Column("email", gettext_lazy("E-mail"), sort="email"),
        Column("enabled", gettext_lazy("Enabled"), sort="enabled"),
        Column("server", gettext_lazy("PBX"), value=lambda box: box.phone.server),
    )
    search_fields = ("phone__extension", "email", "phone__user__username")
    default_sort = "phone"

    def get_queryset(self) -> QuerySet[VoicemailBox]:
        return super().get_queryset().select_related("phone__server", "phone__user")


class VoicemailBoxEditView(ObjectEditView):
    model = VoicemailBox
    form_class = VoicemailBoxForm


class VoicemailBoxDeleteView(ObjectDeleteView):
    model = VoicemailBox
