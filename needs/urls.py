from django.urls import path

from needs import change_views, surge_views, views

app_name = "needs"

urlpatterns = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="create"),
    path("postcode/", views.postcode_check, name="postcode"),
    path("surge/", surge_views.surge, name="surge"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/offer/", views.need_offer, name="offer"),
    path("<int:pk>/done/", views.need_done, name="done"),
    path("<int:pk>/cancel/", views.need_cancel, name="cancel"),
    path("<int:pk>/seen/", views.need_assignment_seen, name="seen"),
    path("<int:pk>/reconfirm/", views.need_reconfirm, name="reconfirm"),
    path("<int:pk>/edit/", change_views.need_edit, name="edit"),
    path("<int:pk>/hand-over/", change_views.need_hand_over_page, name="hand_over"),
]
