from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/<int:pk>/", views.document_fragment, name="fragment"),
    path("documents/<int:pk>/retry/", views.document_retry, name="retry"),
    path("documents/<int:pk>/pdf/", views.document_download, name="download"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
