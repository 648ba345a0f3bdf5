"""URLs of the operator desk."""

from django.urls import path

from switchboard.desk import views

app_name = "desk"

urlpatterns = [
    path("desk/", views.desk_page, name="desk"),
    path("desk/action/", views.desk_action, name="action"),
    path("desk/parked/", views.parked, name="parked"),
    path("desk/history/", views.history, name="history"),
    path("desk/interactions/<int:pk>/", views.interaction_edit, name="interaction_edit"),
    path("desk/link-number/", views.link_number, name="link_number"),
    path("desk/new-contact/", views.new_contact, name="new_contact"),
    path("admin/teams/", views.TeamListView.as_view(), name="team_list"),
    path("admin/teams/add/", views.TeamEditView.as_view(), name="team_add"),
    path("admin/teams/<int:pk>/", views.TeamEditView.as_view(), name="team_edit"),
    path("admin/teams/<int:pk>/delete/", views.TeamDeleteView.as_view(), name="team_delete"),
]
