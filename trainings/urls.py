from django.urls import path

from . import views

app_name = "trainings"

urlpatterns = [
    path("trainings/", views.session_list, name="sessions"),
    path("trainings/new/", views.session_create, name="session_create"),
    path("trainings/enrol/", views.inbox_enrol, name="inbox_enrol"),
    path("trainings/calendar/", views.calendar_page, name="calendar"),
    path("trainings/calendar/new/", views.calendar_create, name="calendar_create"),
    path("trainings/<int:pk>/", views.session_detail, name="session_detail"),
    path("trainings/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("trainings/<int:pk>/state/", views.session_state, name="session_state"),
    path("trainings/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("trainings/<int:pk>/complete/", views.session_complete, name="session_complete"),
    path("trainings/<int:pk>/enrol/", views.session_enrol, name="session_enrol"),
    path(
        "trainings/<int:pk>/registrations/<int:registration_pk>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("trainings/<int:pk>/days/<int:day_pk>/", views.attendance, name="attendance"),
    path(
        "trainings/<int:pk>/days/<int:day_pk>/<int:registration_pk>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path("trainings/<int:pk>/participants.<str:fmt>", views.participants_export, name="participants_export"),
    path("trainings/completions/<int:pk>/", views.completion_detail, name="completion_detail"),
    path("trainings/completions/<int:pk>/withdraw/", views.completion_revoke, name="completion_revoke"),
    path(
        "applications/<int:application_pk>/completions/new/",
        views.completion_create,
        name="completion_create",
    ),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("me/trainings/", views.my_trainings, name="my_trainings"),
    path("me/trainings/calendar/", views.my_calendar, name="my_calendar"),
    path("me/trainings/<int:session_pk>/register/", views.my_register, name="my_register"),
    path("me/trainings/registrations/<int:pk>/cancel/", views.my_cancel, name="my_cancel"),
    path("me/trainings/completions/<int:pk>/certificate/", views.my_certificate, name="my_certificate"),
]
