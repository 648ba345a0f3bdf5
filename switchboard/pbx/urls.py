"""URLs of the PBX configuration domain."""

from django.urls import path

from switchboard.pbx import views

app_name = "pbx"

urlpatterns = [
    path("admin/phones/", views.PhoneListView.as_view(), name="phone_list"),
    path("admin/phones/add/", views.PhoneEditView.as_view(), name="phone_add"),
    path("admin/phones/<int:pk>/", views.PhoneEditView.as_view(), name="phone_edit"),
    path("admin/phones/<int:pk>/delete/", views.PhoneDeleteView.as_view(), name="phone_delete"),
    path("admin/queues/", views.QueueListView.as_view(), name="queue_list"),
    path("admin/queues/add/", views.QueueEditView.as_view(), name="queue_add"),
    path("admin/queues/<int:pk>/", views.QueueEditView.as_view(), name="queue_edit"),
    path("admin/queues/<int:pk>/delete/", views.QueueDeleteView.as_view(), name="queue_delete"),
    path("admin/queue-members/", views.QueueMemberListView.as_view(), name="queuemember_list"),
    path("admin/queue-members/add/", views.QueueMemberEditView.as_view(), name="queuemember_add"),
    path(
        "admin/queue-members/<int:pk>/",
        views.QueueMemberEditView.as_view(),
        name="queuemember_edit",
    ),
    path(
        "admin/queue-members/<int:pk>/delete/",
        views.QueueMemberDeleteView.as_view(),
        name="queuemember_delete",
    ),
    path("admin/apply/", views.apply_page, name="apply"),
]
