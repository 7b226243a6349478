from django.urls import path

from reactivation import views

app_name = "reactivation"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_new, name="new"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/progress.json", views.campaign_progress_json, name="progress"),
    path("<int:pk>/review/", views.campaign_review, name="review"),
    path("<int:pk>/<slug:action>/", views.campaign_action, name="action"),
]
