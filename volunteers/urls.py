from django.urls import path

from volunteers import join_views, map_views, views

urlpatterns = [
    path("join/", join_views.join, name="join"),
    path("join/confirm/", join_views.join_confirm, name="join-confirm"),
    path("join/resend/", join_views.join_resend, name="join-resend"),
    path("v/<str:token>/", views.volunteer_page, name="volunteer-page"),
    path("map/base-layer.json", map_views.map_base_layer_json, name="map-base-layer"),
]
