from django.urls import path

from .views import me

urlpatterns = [
    path("me/applications/", me.MyApplicationsView.as_view(), name="my_applications"),
    path(
        "me/applications/<int:pk>/withdraw/",
        me.ApplicationWithdrawView.as_view(),
        name="application_withdraw",
    ),
    path("me/profile/", me.ProfileView.as_view(), name="profile"),
    path("me/data/", me.MyDataView.as_view(), name="my_data"),
    path("me/data.json", me.MyDataJsonView.as_view(), name="my_data_json"),
    path("me/data/print/", me.MyDataPrintView.as_view(), name="my_data_html"),
    path("me/erasure/", me.ErasureRequestView.as_view(), name="erasure_request"),
    path("requests/", me.ChangeRequestsView.as_view(), name="change_requests"),
    path("requests/change/<int:pk>/", me.ChangeRequestDecideView.as_view(), name="change_request_decide"),
    path("requests/erasure/<int:pk>/", me.ErasureDecideView.as_view(), name="erasure_decide"),
]
