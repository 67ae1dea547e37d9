from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("units/<slug:unit_slug>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path(
        "units/<slug:unit_slug>/coordinators/<int:user_id>/revoke/",
        views.CoordinatorRevokeView.as_view(),
        name="coordinator_revoke",
    ),
    path("coordinators/", views.CoordinatorsView.as_view(), name="coordinators"),
    path("coordinators/invite/", views.InviteView.as_view(), name="invite"),
    path(
        "coordinators/invitations/<int:pk>/revoke/",
        views.InvitationActionView.as_view(action="revoke"),
        name="invitation_revoke",
    ),
    path(
        "coordinators/invitations/<int:pk>/resend/",
        views.InvitationActionView.as_view(action="resend"),
        name="invitation_resend",
    ),
    path("invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
]
