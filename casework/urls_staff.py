"""The casework pages of coordinators and supervising officers (namespace ``casework``, see
casework/urls.py); the ministry's counts."""

from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("casework/", views.home, name="home"),
    path("casework/counts/", views.counts, name="counts"),
    path("casework/clients/", views.clients, name="clients"),
    path("casework/clients/new/", views.client_create, name="client_new"),
    path("casework/clients/<int:pk>/", views.client_detail, name="client"),
    path("casework/clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("casework/pairs/", views.pairs, name="pairs"),
    path("casework/pairs/new/", views.pair_create, name="pair_new"),
    path("casework/pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("casework/pairs/<int:pk>/review/", views.pair_review, name="pair_review"),
    path("casework/pairs/<int:pk>/end/", views.pair_end, name="pair_end"),
    path("casework/circles/", views.circles, name="circles"),
    path("casework/circles/new/", views.circle_create, name="circle_new"),
    path("casework/circles/<int:pk>/", views.circle_detail, name="circle"),
    path("casework/circles/<int:pk>/members/add/", views.circle_member_add, name="circle_member_add"),
    path(
        "casework/circles/<int:pk>/members/remove/", views.circle_member_remove, name="circle_member_remove"
    ),
    path("casework/circles/<int:pk>/outer/add/", views.circle_outer_add, name="circle_outer_add"),
    path("casework/circles/<int:pk>/outer/remove/", views.circle_outer_remove, name="circle_outer_remove"),
    path("casework/circles/<int:pk>/activate/", views.circle_activate, name="circle_activate"),
    path("casework/circles/<int:pk>/end/", views.circle_end, name="circle_end"),
    path("casework/circles/<int:pk>/review/", views.circle_review, name="circle_review"),
    path("casework/cases/", views.cases, name="cases"),
    path("casework/cases/new/", views.case_create, name="case_new"),
    path("casework/cases/<int:pk>/", views.case_detail, name="case"),
    path("casework/cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("casework/certificates/", views.certificates, name="certificates"),
    path("casework/certificates/new/", views.certificate_create, name="certificate_new"),
    path("casework/certificates/<int:pk>/annul/", views.certificate_annul, name="certificate_annul"),
]
