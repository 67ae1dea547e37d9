"""The coordinators' event pages (namespace ``events``, see events/urls.py)."""

from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("events/", views.queue, name="queue"),
    path("events/all/", views.event_list, name="list"),
    path("events/calendar/", views.calendar, name="calendar"),
    path("events/new/", views.event_create, name="new"),
    path("events/hours/", views.hours, name="hours"),
    path("events/hours/<int:pk>/", views.hours_decide, name="hours_decide"),
    path("events/certificates/", views.certificates, name="certificates"),
    path("events/certificates/new/", views.certificate_create, name="certificate_new"),
    path("events/certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("events/certificates/<int:pk>/issue/", views.certificate_issue, name="certificate_issue"),
    path("events/certificates/<int:pk>/refuse/", views.certificate_refuse, name="certificate_refuse"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/approve/", views.event_approve, name="approve"),
    path("events/<int:pk>/reject/", views.event_reject, name="reject"),
    path("events/<int:pk>/changes/", views.event_changes, name="changes"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>/cancel-following/", views.event_cancel_following, name="cancel_following"),
    path("events/series/<int:pk>/approve/", views.series_approve, name="series_approve"),
    path("events/series/<int:pk>/reject/", views.series_reject, name="series_reject"),
    path("events/<int:pk>/report/", views.event_report, name="report"),
]
