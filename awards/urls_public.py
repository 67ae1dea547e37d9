from django.urls import path

from .views import public

app_name = "award"

# The public pages of the award: laureates by year and the nomination form.
urlpatterns = [
    path("balva/", public.AwardIndexView.as_view(), name="index"),
    path("balva/<int:year>/", public.AwardYearView.as_view(), name="year"),
    path("balva/nominet/", public.NominateView.as_view(), name="nominate"),
    path("balva/nominet/<str:reference>/", public.NominateDoneView.as_view(), name="nominate_done"),
]
