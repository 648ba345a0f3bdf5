"""URLs of the callback requests and their report."""

from django.urls import path

from switchboard.callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/add/", views.callback_add, name="callback_add"),
    path("callbacks/report/", views.callback_report, name="report"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/call/", views.callback_call, name="callback_call"),
    path("callbacks/<int:pk>/reschedule/", views.callback_reschedule, name="callback_reschedule"),
    path("callbacks/<int:pk>/close/", views.callback_close, name="callback_close"),
]
