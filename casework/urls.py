from django.urls import include, path

app_name = "casework"

# The coordinators' and officers' pages (urls_staff.py) and the volunteer's own (urls_me.py).
urlpatterns = [
    path("", include("casework.urls_staff")),
    path("", include("casework.urls_me")),
]
