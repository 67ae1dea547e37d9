from django.urls import path

from . import views_factsheet

# Mounted at /reports/fact-sheet/ in the ``reports`` namespace (reports/urls.py).
urlpatterns = [
    path("", views_factsheet.fact_sheet, name="fact_sheet"),
]
