from django.urls import path

from reactivation import views

app_name = "reactivation"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("coverage/", views.coverage, name="coverage"),
]
