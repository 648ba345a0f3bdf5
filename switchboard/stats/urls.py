"""URLs of the statistics."""

from django.urls import path

from switchboard.stats import views

app_name = "stats"

urlpatterns = [
    path("stats/global/", views.global_statistics, name="global"),
    path("stats/queues/", views.queue_statistics, name="queues"),
    path("stats/calls/", views.queue_call_detail, name="calls"),
    path("stats/reports/", views.excel_reports, name="reports"),
    path("stats/mix/", views.call_mix, name="mix"),
]
