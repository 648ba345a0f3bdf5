"""URLs of the billing domain."""

from django.urls import path

from switchboard.billing import views

app_name = "billing"

urlpatterns = [
    path("billing/", views.ReportView.as_view(), name="report"),
    path("admin/tariffs/", views.TariffListView.as_view(), name="tariff_list"),
    path("admin/tariffs/add/", views.TariffEditView.as_view(), name="tariff_add"),
    path("admin/tariffs/<int:pk>/", views.TariffEditView.as_view(), name="tariff_edit"),
    path("admin/tariffs/<int:pk>/delete/", views.TariffDeleteView.as_view(), name="tariff_delete"),
    path("admin/tariff-zones/", views.ZoneListView.as_view(), name="zone_list"),
    path("admin/tariff-zones/add/", views.ZoneEditView.as_view(), name="zone_add"),
    path("admin/tariff-zones/import/", views.ZoneImportView.as_view(), name="zone_import"),
    path("admin/tariff-zones/<int:pk>/", views.ZoneEditView.as_view(), name="zone_edit"),
    path("admin/tariff-zones/<int:pk>/delete/", views.ZoneDeleteView.as_view(), name="zone_delete"),
    path("admin/billing/rerate/", views.RerateView.as_view(), name="rerate"),
    path("admin/billing/review/", views.ReviewView.as_view(), name="review"),
]
