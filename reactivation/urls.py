from django.urls import path

from reactivation import health_views, playbook_views, views

app_name = "reactivation"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_new, name="new"),
    path("coverage/", views.coverage, name="coverage"),
    path("register/", health_views.register_health_page, name="register-health"),
    path("register/checks/", health_views.readiness_round_new, name="readiness-round"),
    path(
        "register/checks/<int:pk>/approve/",
        health_views.readiness_round_approval,
        name="readiness-round-approve",
    ),
    path("playbooks/", playbook_views.playbook_list, name="playbooks"),
    path("playbooks/preview.json", playbook_views.playbook_text_preview, name="playbook-preview"),
    path("playbooks/<slug:slug>/", playbook_views.playbook_detail, name="playbook"),
    path("playbooks/<slug:slug>/edit/", playbook_views.playbook_edit, name="playbook-edit"),
    path("playbooks/<slug:slug>/compare/", playbook_views.playbook_compare, name="playbook-compare"),
    path("playbooks/<slug:slug>/v<int:number>/", playbook_views.playbook_version, name="playbook-version"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/progress.json", views.campaign_progress_json, name="progress"),
    path("<int:pk>/review/", views.campaign_review, name="review"),
    path("<int:pk>/<slug:action>/", views.campaign_action, name="action"),
]
