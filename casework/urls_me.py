"""The volunteer's own casework pages (namespace ``casework``)."""

from django.urls import path

from . import views_me

urlpatterns = [
    path("me/casework/", views_me.my_casework, name="my_casework"),
    path("me/casework/pairs/<int:pk>/", views_me.my_pair, name="my_pair"),
    path("me/casework/pairs/<int:pk>/meetings/", views_me.my_pair_meeting, name="my_pair_meeting"),
    path("me/casework/circles/<int:pk>/", views_me.my_circle, name="my_circle"),
    path("me/casework/circles/<int:pk>/meetings/", views_me.my_circle_meeting, name="my_circle_meeting"),
    path("me/casework/cases/<int:pk>/", views_me.my_case, name="my_case"),
    path("me/casework/cases/<int:pk>/sessions/", views_me.my_case_session, name="my_case_session"),
]
