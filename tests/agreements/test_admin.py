"""Agreements in the admin panel: template versions (a save publishes a new version, older
versions are read-only), agreements and documents read-only and scoped to the institution,
and the periodic jobs (django-celery-beat) for superusers only."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from agreements.models import Agreement, AgreementTemplate
from institutions.models import AuditEvent

from ..factories import document_row
from . import builders


def _url(name, *args):
    return reverse(f"admin:agreements_{name}", args=args)


@pytest.fixture
def as_ievp_central(client, ievp_central):
    client.force_login(ievp_central)
    return client


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return client


def _form(template, **overrides):
    return {"title": template.title, "body": template.body, **overrides}


# --- Templates


def test_central_coordinator_sees_only_own_institutions_templates_when_listing(as_ievp_central, ievp, vpd):
    mine = builders.current_template(ievp)
    theirs = builders.current_template(vpd)

    response = as_ievp_central.get(_url("agreementtemplate_changelist"))

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert mine in listed
    assert theirs not in listed
    assert as_ievp_central.get(_url("agreementtemplate_change", theirs.pk)).status_code == 302  # not found


def test_saving_the_current_template_publishes_a_new_version_when_changed(
    as_ievp_central, ievp, olaine, olaine_coordinator
):
    current = builders.current_template(ievp)
    agreement = builders.draft(olaine, olaine_coordinator)
    body = current.body + "\n\n10. Papildu punkts par drošību."

    response = as_ievp_central.post(_url("agreementtemplate_change", current.pk), _form(current, body=body))

    assert response.status_code == 302
    newest = AgreementTemplate.objects.filter(institution=ievp, role=None).order_by("-version").first()
    current.refresh_from_db()
    agreement.refresh_from_db()
    assert newest.version == current.version + 1
    assert newest.body == body
    assert current.body != body  # the old version is unchanged…
    assert agreement.template == current  # …and so is the agreement made from it
    assert AuditEvent.objects.filter(action="agreement.template", institution=ievp).count() == 1


def test_saving_the_current_template_unchanged_publishes_nothing(as_ievp_central, ievp):
    current = builders.current_template(ievp)
    versions = AgreementTemplate.objects.filter(institution=ievp).count()

    as_ievp_central.post(_url("agreementtemplate_change", current.pk), _form(current))

    assert AgreementTemplate.objects.filter(institution=ievp).count() == versions


def test_older_template_version_is_read_only_when_a_newer_exists(as_ievp_central, ievp):
    old = builders.current_template(ievp)
    versions = AgreementTemplate.objects.filter(institution=ievp).count()
    as_ievp_central.post(_url("agreementtemplate_change", old.pk), _form(old, title="Jauns nosaukums"))

    page = as_ievp_central.get(_url("agreementtemplate_change", old.pk))
    posted = as_ievp_central.post(_url("agreementtemplate_change", old.pk), _form(old, title="Vēl viens"))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert posted.status_code == 403
    assert AgreementTemplate.objects.filter(institution=ievp).count() == versions + 1


def test_template_text_is_refused_when_it_uses_an_unknown_placeholder(as_ievp_central, ievp):
    current = builders.current_template(ievp)
    versions = AgreementTemplate.objects.filter(institution=ievp).count()

    response = as_ievp_central.post(
        _url("agreementtemplate_change", current.pk), _form(current, body="Sveiki, {{ vards }}!")
    )

    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors
    assert AgreementTemplate.objects.filter(institution=ievp).count() == versions


def test_central_coordinator_adds_a_role_template_through_the_service(as_ievp_central, ievp):
    sports = builders.role(ievp, "sports")

    response = as_ievp_central.post(
        _url("agreementtemplate_add"),
        {
            "institution": ievp.pk,
            "role": sports.pk,
            "title": "Sporta līgums",
            "body": "{{ role }}: {{ duties }}",
        },
    )

    assert response.status_code == 302
    template = AgreementTemplate.objects.get(role=sports)
    assert template.version == 1
    assert template.created_by is not None


def test_template_for_another_institution_is_refused_when_a_central_coordinator_adds_it(as_ievp_central, vpd):
    response = as_ievp_central.post(
        _url("agreementtemplate_add"), {"institution": vpd.pk, "role": "", "title": "X", "body": "Y"}
    )

    assert response.status_code == 200  # the form: VPD is not a choice
    assert not AgreementTemplate.objects.filter(institution=vpd, title="X").exists()


# --- Agreements and documents


def test_agreements_are_read_only_and_scoped_when_a_central_coordinator_looks(
    as_ievp_central, olaine, vpd_department
):
    mine = builders.agreement_row(olaine)
    theirs = builders.agreement_row(vpd_department)
    document = document_row(mine)

    listing = as_ievp_central.get(_url("agreement_changelist"))
    page = as_ievp_central.get(_url("agreement_change", mine.pk))
    posted = as_ievp_central.post(_url("agreement_change", mine.pk), {"place": "Cits"})

    assert list(listing.context["cl"].result_list) == [mine]
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert posted.status_code == 403
    assert as_ievp_central.get(_url("agreement_change", theirs.pk)).status_code == 302  # not found
    assert as_ievp_central.get(_url("agreement_add")).status_code == 403
    assert (
        as_ievp_central.get(reverse("admin:documents_document_change", args=[document.pk])).status_code == 200
    )
    mine.refresh_from_db()
    assert mine.place != "Cits"


def test_documents_of_another_institution_are_hidden_when_listing(as_ievp_central, olaine, vpd_department):
    document_row(builders.agreement_row(olaine))
    document_row(builders.agreement_row(vpd_department))

    response = as_ievp_central.get(reverse("admin:documents_document_changelist"))

    assert [d.unit for d in response.context["cl"].result_list] == [olaine]


def test_unit_coordinator_is_sent_to_the_admin_login_when_opening_agreements(client, olaine_coordinator):
    client.force_login(olaine_coordinator)

    response = client.get(_url("agreement_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_superuser_sees_every_agreement_but_cannot_change_one(as_superuser, olaine, vpd_department):
    builders.agreement_row(olaine)
    builders.agreement_row(vpd_department)

    response = as_superuser.get(_url("agreement_changelist"))

    assert len(response.context["cl"].result_list) == 2
    assert not response.context["has_add_permission"]
    assert Agreement.objects.count() == 2


# --- Periodic jobs (the reminders admin: tests/notifications/test_admin.py)


@pytest.mark.parametrize(
    "name", ["django_celery_beat_periodictask_changelist", "django_celery_beat_crontabschedule_changelist"]
)
def test_periodic_jobs_are_for_superusers_only(client, ievp_central, superuser, name):
    client.force_login(ievp_central)
    assert client.get(reverse(f"admin:{name}")).status_code == 403

    client.force_login(superuser)
    assert client.get(reverse(f"admin:{name}")).status_code == 200


def test_migration_schedules_the_daily_jobs_and_the_sweep_when_migrated(as_superuser):
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab", "interval")}

    assert tasks["agreements.tasks.agreements_daily"].crontab.hour == "6"
    assert tasks["notifications.tasks.reminders_daily"].crontab.hour == "7"
    assert str(tasks["notifications.tasks.reminders_daily"].crontab.timezone) == "Europe/Riga"
    assert "agreements.tasks.reminders_daily" not in tasks
    assert tasks["documents.tasks.documents_sweep"].interval.every == 10
    assert tasks["documents.tasks.documents_sweep"].interval.period == "minutes"
    assert "agreements.tasks.documents_sweep" not in tasks
    page = as_superuser.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "Reminders: daily" in page.content.decode()
