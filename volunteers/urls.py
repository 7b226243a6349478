from django.urls import path

from volunteers import views

urlpatterns = [
    path("v/<str:token>/", views.volunteer_page, name="volunteer-page"),
]
