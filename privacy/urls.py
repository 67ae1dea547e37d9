from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("data-protection/retention/", views.retention, name="retention"),
]
