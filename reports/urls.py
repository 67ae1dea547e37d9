from django.urls import include, path

app_name = "reports"

# The dashboards and their exports (views.py), the annual fact sheet (views_factsheet.py).
urlpatterns = [
    path("reports/", include("reports.urls_dashboard")),
    path("reports/fact-sheet/", include("reports.urls_factsheet")),
]
