from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views

admin.site.site_header = _("Tilts administration")
admin.site.site_title = _("Tilts")
admin.site.index_title = _("Central office administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("institutions.urls")),
    path("", include("volunteers.urls")),
    path("", include("documents.urls")),
    path("", include("agreements.urls")),
    path("", include("trainings.urls")),
    path("", include("privacy.urls")),
    path("", include("events.urls")),
    path("", include("casework.urls")),
    path("", include("awards.urls")),
    path("", include("awards.urls_public")),
    path("", include("reports.urls")),
]
