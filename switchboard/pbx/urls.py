"""URLs of the PBX configuration domain."""

from django.urls import path

from switchboard.pbx import views

app_name = "pbx"

urlpatterns = [
    path("admin/phones/", views.PhoneListView.as_view(), name="phone_list"),
    path("admin/phones/add/", views.PhoneEditView.as_view(), name="phone_add"),
    path("admin/phones/<int:pk>/", views.PhoneEditView.as_view(), name="phone_edit"),
    path("admin/phones/<int:pk>/delete/", views.PhoneDeleteView.as_view(), name="phone_delete"),
    path("admin/apply/", views.apply_page, name="apply"),
]
