from django.urls import include, path

app_name = "events"

# The coordinators' pages (urls_staff.py) and the volunteer's own (urls_me.py).
urlpatterns = [
    path("", include("events.urls_staff")),
    path("", include("events.urls_me")),
]
