"""URLs of agents and presence."""

from django.urls import path

from switchboard.agents import views

app_name = "agents"

urlpatterns = [
    path("agent/", views.console, name="console"),
    path("agent/action/", views.agent_action, name="action"),
    path("agent/desk/", views.hot_desk, name="hotdesk"),
    path("presence/", views.presence, name="presence"),
    path("colleagues/", views.colleagues, name="colleagues"),
    path("admin/pause-reasons/", views.PauseReasonListView.as_view(), name="pausereason_list"),
    path("admin/pause-reasons/add/", views.PauseReasonEditView.as_view(), name="pausereason_add"),
    path(
        "admin/pause-reasons/<int:pk>/",
        views.PauseReasonEditView.as_view(),
        name="pausereason_edit",
    ),
    path(
        "admin/pause-reasons/<int:pk>/delete/",
        views.PauseReasonDeleteView.as_view(),
        name="pausereason_delete",
    ),
    path("admin/agent-sessions/", views.AgentSessionListView.as_view(), name="agentsession_list"),
]
