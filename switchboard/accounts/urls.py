"""URLs of the accounts domain."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from switchboard.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("account/", views.profile, name="profile"),
    path("admin/users/", views.UserListView.as_view(), name="user_list"),
    path("admin/users/add/", views.UserEditView.as_view(), name="user_add"),
    path("admin/users/<int:pk>/", views.UserEditView.as_view(), name="user_edit"),
    path("admin/users/<int:pk>/delete/", views.UserDeleteView.as_view(), name="user_delete"),
    path("admin/roles/", views.RoleListView.as_view(), name="role_list"),
    path("admin/roles/add/", views.RoleEditView.as_view(), name="role_add"),
    path("admin/roles/<int:pk>/", views.RoleEditView.as_view(), name="role_edit"),
    path("admin/roles/<int:pk>/delete/", views.RoleDeleteView.as_view(), name="role_delete"),
    path("admin/departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("admin/departments/add/", views.DepartmentEditView.as_view(), name="department_add"),
    path("admin/departments/<int:pk>/", views.DepartmentEditView.as_view(), name="department_edit"),
    path(
        "admin/departments/<int:pk>/delete/",
        views.DepartmentDeleteView.as_view(),
        name="department_delete",
    ),
    path("admin/audit/", views.AuditListView.as_view(), name="audit_list"),
]
