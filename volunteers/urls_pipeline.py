from django.urls import path

from .views import pipeline

urlpatterns = [
    path("applications/", pipeline.inbox, name="inbox"),
    path("applications/export/", pipeline.inbox_export, name="inbox_export"),
    path("applications/<int:pk>/", pipeline.application_detail, name="application_detail"),
    path("applications/<int:pk>/transition/", pipeline.application_transition, name="application_transition"),
    path("applications/<int:pk>/notes/", pipeline.application_note, name="application_note"),
    path("applications/<int:pk>/vetting/", pipeline.application_vetting, name="application_vetting"),
    path("applications/<int:pk>/reassign/", pipeline.application_reassign, name="application_reassign"),
    path("applications/<int:pk>/cv/", pipeline.application_cv, name="application_cv"),
    path("units/<slug:unit_slug>/bulk-email/", pipeline.bulk_email, name="bulk_email"),
    path("units/<slug:unit_slug>/bulk-email/<int:pk>/", pipeline.bulk_email_log, name="bulk_email_log"),
]
