"""URLs of the telephony domain."""

from django.urls import path

from switchboard.telephony import views

app_name = "telephony"

urlpatterns = [
    path("admin/pbx/", views.PbxServerListView.as_view(), name="pbxserver_list"),
    path("admin/pbx/add/", views.PbxServerEditView.as_view(), name="pbxserver_add"),
    path("admin/pbx/<int:pk>/", views.PbxServerEditView.as_view(), name="pbxserver_edit"),
    path(
        "admin/pbx/<int:pk>/delete/", views.PbxServerDeleteView.as_view(), name="pbxserver_delete"
    ),
]

urlpatterns += [
    path("live/queues/", views.queues_page, name="live_queues"),
    path("live/calls/", views.calls_page, name="live_calls"),
    path("live/presence/", views.presence_page, name="live_presence"),
    path("live/action/", views.live_action, name="live_action"),
]
