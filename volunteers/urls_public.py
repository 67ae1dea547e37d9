from django.urls import path

from .views import public

urlpatterns = [
    path("apply/", public.ApplyView.as_view(), name="apply"),
    path("apply/done/<str:reference>/", public.ApplyDoneView.as_view(), name="apply_done"),
    path("privacy/", public.PrivacyView.as_view(), name="privacy"),
]
