"""URLs of the JSON API and of its token pages."""

from django.urls import path

from switchboard.api import views

app_name = "api"

urlpatterns = [
    path("api/openapi.json", views.openapi, name="openapi"),
    path("api/callbacks/", views.callbacks, name="callbacks"),
    path("admin/api-tokens/", views.token_list, name="token_list"),
    path("admin/api-tokens/add/", views.token_add, name="token_add"),
    path("admin/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
