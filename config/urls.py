from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.signin import SignInView, sign_in_code
from messaging import inbox_views
from needs import views as needs_views
from operations import alert_views, language_views, register_views
from operations import views as operations_views
from voice import line_simulator
from volunteers import account_views

urlpatterns = [
    path("", operations_views.dashboard, name="dashboard"),
    path("alerts/", alert_views.alert_settings, name="alerts"),
    path("healthz/", operations_views.healthz, name="healthz"),
    path("healthz/live/", operations_views.healthz_live, name="healthz-live"),
    path("", include("volunteers.urls")),
    path("o/<str:token>/", needs_views.offer_page, name="offer"),
    path("groups/", register_views.group_list, name="register-groups"),
    path("groups/<int:pk>/edit/", register_views.group_edit, name="register-group-edit"),
    path("volunteers/", register_views.volunteer_list, name="register-volunteers"),
    path("volunteers/<int:pk>/edit/", register_views.volunteer_edit, name="register-volunteer-edit"),
    path("volunteers/<int:pk>/pause/", register_views.volunteer_pause, name="register-volunteer-pause"),
    path("needs/closed/", register_views.closed_needs, name="closed-needs"),
    path("needs/closed.csv", register_views.closed_needs_csv, name="closed-needs-csv"),
    path("needs/", include("needs.urls")),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/reply/", inbox_views.inbox_reply, name="inbox-reply"),
    path("inbox/calls/<int:pk>/recording.mp3", inbox_views.inbox_call_recording, name="inbox-call-recording"),
    path("campaigns/", include("reactivation.urls")),
    path("login/", SignInView.as_view(), name="login"),
    path("login/code/", sign_in_code, name="login-code"),
    path("account/", account_views.account, name="account"),
    path("audit/", operations_views.audit_log, name="audit-log"),
    path("languages/", language_views.languages_page, name="languages"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url="/login/"),
        name="password_reset_confirm",
    ),
    path("admin/", admin.site.urls),
    path("sms/simulator/call/", line_simulator.simulator_call, name="simulator-call"),
    path("sms/", include("messaging.urls")),
    path("voice/", include("voice.urls")),
    path("voice/", include("messaging.voice_urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# The plain 403 page says why (the refusing check's own words); 404 and 500 use templates/.
handler403 = "core.errors.permission_denied"
