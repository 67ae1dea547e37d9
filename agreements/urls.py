from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("applications/<int:application_pk>/agreement/new/", views.agreement_create, name="create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:pk>/generate/", views.agreement_generate, name="generate"),
    path("agreements/<int:pk>/send/", views.agreement_send, name="send"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="sign"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("agreements/<int:pk>/signed/", views.scan_download, name="scan_download"),
    path(
        "agreements/<int:pk>/documents/<int:version>/pdf/", views.document_download, name="document_download"
    ),
    path("me/agreements/", views.my_agreements, name="my_agreements"),
    path("me/agreements/<int:pk>/pdf/", views.my_agreement_pdf, name="my_agreement_pdf"),
    path("me/agreements/<int:pk>/signed/", views.my_agreement_signed, name="my_agreement_signed"),
    path("agreements/templates/", views.template_list, name="templates"),
    path("agreements/templates/new/", views.template_new, name="template_new"),
    path("agreements/templates/<int:pk>/", views.template_detail, name="template_detail"),
]
