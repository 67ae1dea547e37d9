from django.urls import path

from .views import cycles, nominations

app_name = "awards"

# The award's pages for the Ministry's administrators, the jury and the coordinators
# (/awards/…); the public page and form are in urls_public.py (/balva/…).
urlpatterns = [
    path("awards/", cycles.CycleListView.as_view(), name="cycles"),
    path("awards/new/", cycles.CycleCreateView.as_view(), name="cycle_new"),
    path("awards/<int:year>/", cycles.CycleDetailView.as_view(), name="cycle"),
    path("awards/<int:year>/edit/", cycles.CycleEditView.as_view(), name="cycle_edit"),
    path("awards/<int:year>/criteria/new/", cycles.CriterionCreateView.as_view(), name="criterion_new"),
    path("awards/criteria/<int:pk>/edit/", cycles.CriterionEditView.as_view(), name="criterion_edit"),
    path("awards/criteria/<int:pk>/delete/", cycles.CriterionDeleteView.as_view(), name="criterion_delete"),
    path("awards/<int:year>/jury/add/", cycles.JuryAddView.as_view(), name="jury_add"),
    path("awards/jury/<int:pk>/remove/", cycles.JuryRemoveView.as_view(), name="jury_remove"),
    path("awards/jury/<int:pk>/chair/", cycles.JuryChairView.as_view(), name="jury_chair"),
    path("awards/<int:year>/open/", cycles.CycleOpenView.as_view(), name="cycle_open"),
    path("awards/<int:year>/scoring/", cycles.ScoringStartView.as_view(), name="scoring_start"),
    path("awards/<int:year>/ranking/", cycles.RankingView.as_view(), name="ranking"),
    path("awards/<int:year>/diplomas/", cycles.DiplomasIssueView.as_view(), name="diplomas_issue"),
    path("awards/<int:year>/announce/", cycles.AnnounceView.as_view(), name="announce"),
    path("awards/<int:year>/nominate/", nominations.NominateView.as_view(), name="nominate"),
    path("awards/nominations/<int:pk>/", nominations.NominationDetailView.as_view(), name="nomination"),
    path("awards/nominations/<int:pk>/check/", nominations.CheckView.as_view(), name="nomination_check"),
    path("awards/nominations/<int:pk>/link/", nominations.LinkView.as_view(), name="nomination_link"),
    path(
        "awards/nominations/<int:pk>/withdraw/",
        nominations.WithdrawView.as_view(),
        name="nomination_withdraw",
    ),
    path("awards/nominations/<int:pk>/score/", nominations.ScoreView.as_view(), name="score"),
    path("awards/nominations/<int:pk>/conflict/", nominations.ConflictView.as_view(), name="conflict"),
    path("awards/nominations/<int:pk>/consent/", nominations.ConsentView.as_view(), name="consent"),
    path("awards/nominations/<int:pk>/diploma/", nominations.DiplomaView.as_view(), name="diploma"),
    path("awards/files/<int:pk>/", nominations.FileView.as_view(), name="file"),
]
