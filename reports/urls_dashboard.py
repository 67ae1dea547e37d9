from django.urls import path

from . import views

# Under /reports/ (reports/urls.py): the dashboard and its tables as CSV / XLSX.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.<str:fmt>", views.export, name="export"),
]
