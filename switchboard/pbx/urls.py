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
    path("admin/lines/", views.TrunkListView.as_view(), name="trunk_list"),
    path("admin/lines/add/", views.TrunkEditView.as_view(), name="trunk_add"),
    path("admin/lines/<int:pk>/", views.TrunkEditView.as_view(), name="trunk_edit"),
    path("admin/lines/<int:pk>/delete/", views.TrunkDeleteView.as_view(), name="trunk_delete"),
    path("admin/inbound/", views.InboundRouteListView.as_view(), name="inboundroute_list"),
    path("admin/inbound/add/", views.InboundRouteEditView.as_view(), name="inboundroute_add"),
    path("admin/inbound/<int:pk>/", views.InboundRouteEditView.as_view(), name="inboundroute_edit"),
    path(
        "admin/inbound/<int:pk>/delete/",
        views.InboundRouteDeleteView.as_view(),
        name="inboundroute_delete",
    ),
    path("admin/apply/", views.apply_page, name="apply"),
]

# Call permissions, outgoing call groups, pickup groups, override rules (SPEC A2, A13, A14).
for prefix, name, module in (
    ("dial-patterns", "dialpattern", "DialPattern"),
    ("outgoing-groups", "outgoinggroup", "OutgoingGroup"),
    ("pickup-groups", "pickupgroup", "PickupGroup"),
    ("override-rules", "overriderule", "OverrideRule"),
):
    urlpatterns += [
        path(
            f"admin/{prefix}/", getattr(views, f"{module}ListView").as_view(), name=f"{name}_list"
        ),
        path(
            f"admin/{prefix}/add/",
            getattr(views, f"{module}EditView").as_view(),
            name=f"{name}_add",
        ),
        path(
            f"admin/{prefix}/<int:pk>/",
            getattr(views, f"{module}EditView").as_view(),
            name=f"{name}_edit",
        ),
        path(
            f"admin/{prefix}/<int:pk>/delete/",
            getattr(views, f"{module}DeleteView").as_view(),
            name=f"{name}_delete",
        ),
    ]
urlpatterns += [
    path("admin/dial-patterns/defaults/", views.dialpattern_defaults, name="dialpattern_defaults"),
    path("admin/override-rules/<int:pk>/move/", views.overriderule_move, name="overriderule_move"),
]
