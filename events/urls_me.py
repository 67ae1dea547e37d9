"""The volunteer's own event, hours and certificate pages (namespace ``events``)."""

from django.urls import path

from . import views_me

urlpatterns = [
    path("me/events/", views_me.my_events, name="my_events"),
    path("me/events/new/", views_me.propose, name="propose"),
    path("me/events/calendar/", views_me.my_calendar, name="my_calendar"),
    path("me/events/<int:pk>/", views_me.my_event, name="my_event"),
    path("me/events/<int:pk>/edit/", views_me.my_event_edit, name="my_event_edit"),
    path("me/events/<int:pk>/cancel/", views_me.my_event_cancel, name="my_event_cancel"),
    path(
        "me/events/<int:pk>/cancel-following/",
        views_me.my_event_cancel_following,
        name="my_event_cancel_following",
    ),
    path("me/events/<int:pk>/feedback/", views_me.my_event_feedback, name="my_event_feedback"),
    path("me/events/<int:pk>/report/", views_me.my_event_report, name="my_event_report"),
    path("me/hours/", views_me.my_hours, name="my_hours"),
    path("me/hours/certificate/", views_me.certificate_request, name="certificate_request"),
]
