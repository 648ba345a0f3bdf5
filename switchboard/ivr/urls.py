"""URLs of the IVR domain."""

from django.urls import path

from switchboard.ivr import views

app_name = "ivr"

urlpatterns = [
    path("admin/ivr/", views.IvrListView.as_view(), name="ivr_list"),
    path("admin/ivr/add/", views.IvrEditView.as_view(), name="ivr_add"),
    path("admin/ivr/<int:pk>/", views.IvrEditView.as_view(), name="ivr_edit"),
    path("admin/ivr/<int:pk>/delete/", views.IvrDeleteView.as_view(), name="ivr_delete"),
    path("admin/ivr/<int:pk>/scenario/", views.scenario_editor, name="ivr_scenario"),
    path("admin/holidays/", views.HolidayListView.as_view(), name="holiday_list"),
    path("admin/holidays/add/", views.HolidayEditView.as_view(), name="holiday_add"),
    path("admin/holidays/<int:pk>/", views.HolidayEditView.as_view(), name="holiday_edit"),
    path(
        "admin/holidays/<int:pk>/delete/",
        views.HolidayDeleteView.as_view(),
        name="holiday_delete",
    ),
    path("admin/incidents/", views.incident_list, name="incident_list"),
    path("admin/incidents/add/", views.IncidentEditView.as_view(), name="incident_add"),
    path("admin/incidents/<int:pk>/", views.IncidentEditView.as_view(), name="incident_edit"),
    path(
        "admin/incidents/<int:pk>/delete/",
        views.IncidentDeleteView.as_view(),
        name="incident_delete",
    ),
    path("admin/incidents/<int:pk>/switch/", views.incident_switch, name="incident_switch"),
]
