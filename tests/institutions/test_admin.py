"""The admin panel: superusers see everything, a central coordinator only their institution."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from institutions import permissions, services
from institutions.models import AuditEvent, CoordinatorInvitation, Unit
from tests.factories import UserFactory


def _url(name, *args):
    return reverse(f"admin:institutions_{name}", args=args)


@pytest.fixture
def as_ievp_central(client, ievp_central):
    client.force_login(ievp_central)
    return client


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return client


def _version(obj):
    """A stored past version of obj (the migration's rows have none)."""
    obj.save()
    return obj.history.latest()


def _unit_form(institution, **overrides):
    data = {"institution": institution.pk, "name": "Testa cietums", "slug": "testa-cietums"}
    data.update({"kind": Unit.Kind.PRISON, "parent": "", "valid_from": "", "valid_to": ""}, **overrides)
    return data


# --- Who gets in


def test_unit_coordinator_is_sent_to_admin_login_when_opening_admin(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    response = client.get(_url("unit_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_central_coordinator_sees_only_own_units_when_listing_units(
    as_ievp_central, ievp, olaine, vpd_department
):
    response = as_ievp_central.get(_url("unit_changelist"))
    assert response.status_code == 200
    units = list(response.context["cl"].result_list)
    assert olaine in units
    assert vpd_department not in units
    assert {unit.institution for unit in units} == {ievp}
    assert "Jelgavas 1. nodaļa" not in response.content.decode()


def test_central_coordinator_is_told_unit_does_not_exist_when_opening_other_institutions_unit(
    as_ievp_central, vpd_department
):
    response = as_ievp_central.get(_url("unit_change", vpd_department.pk), follow=True)
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert [str(vpd_department.pk) in str(m) for m in response.context["messages"]] == [True]
    assert "Jelgavas 1. nodaļa" not in response.content.decode()


def test_central_coordinator_gets_403_when_opening_unit_object_permissions(as_ievp_central, olaine):
    assert as_ievp_central.get(_url("unit_permissions", olaine.pk)).status_code == 403


def test_central_coordinator_cannot_grant_object_permissions_when_posting_to_guardian_views(
    as_ievp_central, olaine, vpd, vpd_central
):
    outsider = UserFactory(email="outsider@example.lv")
    group = Group.objects.get(name=f"institution:{vpd.pk}:central")
    user_url = reverse("admin:institutions_unit_permissions_manage_user", args=[olaine.pk, outsider.pk])
    group_url = reverse("admin:institutions_unit_permissions_manage_group", args=[olaine.pk, group.pk])
    assert as_ievp_central.post(user_url, {"permissions": ["coordinate_unit"]}).status_code == 403
    assert as_ievp_central.post(group_url, {"permissions": ["coordinate_unit"]}).status_code == 403
    assert not permissions.has_unit_perm(outsider, permissions.VIEW, olaine)
    permissions.forget_roles(vpd_central)
    assert not permissions.has_unit_perm(vpd_central, permissions.VIEW, olaine)


def test_superuser_sees_unit_object_permissions_when_opening_them(as_superuser, olaine):
    response = as_superuser.get(_url("unit_permissions", olaine.pk))
    assert response.status_code == 200
    assert response.context["object"] == olaine


# --- Units: add, history


def test_central_coordinator_adds_unit_and_audit_is_written_when_posting_add_form(as_ievp_central, ievp):
    response = as_ievp_central.post(_url("unit_add"), _unit_form(ievp))
    assert response.status_code == 302
    unit = Unit.objects.get(slug="testa-cietums")
    assert unit.institution == ievp
    event = AuditEvent.objects.get(action="unit.create")
    assert (event.unit, event.institution, event.actor_label) == (unit, ievp, "ilze.kalnina@example.lv")


def test_central_coordinator_cannot_pick_other_institution_when_adding_unit(as_ievp_central, ievp, vpd):
    form = as_ievp_central.get(_url("unit_add")).context["adminform"].form
    assert list(form.fields["institution"].queryset) == [ievp]
    response = as_ievp_central.post(_url("unit_add"), _unit_form(vpd))
    assert response.status_code == 200
    assert "institution" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(slug="testa-cietums").exists()


def test_central_coordinator_gets_403_when_opening_other_institutions_unit_history(
    as_ievp_central, vpd_department
):
    version = _version(vpd_department)
    assert as_ievp_central.get(_url("unit_history", vpd_department.pk)).status_code == 403
    form_url = _url("unit_simple_history", vpd_department.pk, version.history_id)
    assert as_ievp_central.get(form_url).status_code == 403


def test_central_coordinator_sees_own_unit_history_when_opening_it(as_ievp_central, olaine):
    version = _version(olaine)
    assert as_ievp_central.get(_url("unit_history", olaine.pk)).status_code == 200
    response = as_ievp_central.get(_url("unit_simple_history", olaine.pk, version.history_id))
    assert response.status_code == 200
    assert response.context["original"].pk == olaine.pk


def test_central_coordinator_cannot_take_other_institutions_unit_when_posting_history_version(
    as_ievp_central, ievp, vpd, vpd_department
):
    version = _version(vpd_department)
    form_url = _url("unit_simple_history", vpd_department.pk, version.history_id)
    data = _unit_form(ievp, name=vpd_department.name, slug=vpd_department.slug, kind=vpd_department.kind)
    assert as_ievp_central.post(form_url, data).status_code == 403
    vpd_department.refresh_from_db()
    assert vpd_department.institution == vpd


def test_central_coordinator_cannot_edit_institution_when_posting_history_version(as_ievp_central, ievp):
    version = _version(ievp)
    form_url = _url("institution_simple_history", ievp.pk, version.history_id)
    data = {"code": "IEVP", "name": "Pārdēvēta", "short_name": "X"}
    assert as_ievp_central.post(form_url, data).status_code == 403
    ievp.refresh_from_db()
    assert ievp.short_name == "IeVP"


# --- Invitations


def test_central_coordinator_invites_and_one_email_is_sent_when_posting_invitation_form(
    as_ievp_central, ievp, olaine, jelgava, vpd_department, django_capture_on_commit_callbacks
):
    form = as_ievp_central.get(_url("coordinatorinvitation_add")).context["adminform"].form
    assert olaine in form.fields["units"].queryset
    assert vpd_department not in form.fields["units"].queryset
    data = {"email": "Jauna.Koordinatore@example.lv", "institution": ievp.pk, "language": "lv"}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_ievp_central.post(
            _url("coordinatorinvitation_add"), {**data, "units": [olaine.pk, jelgava.pk]}
        )
    assert response.status_code == 302
    invitation = CoordinatorInvitation.objects.get()
    assert invitation.email == "jauna.koordinatore@example.lv"
    assert set(invitation.units.all()) == {olaine, jelgava}
    assert invitation.invited_by.email == "ilze.kalnina@example.lv"
    assert [message.to for message in mail.outbox] == [["jauna.koordinatore@example.lv"]]
    assert services.invitation_url(invitation) in mail.outbox[0].body


def test_invitation_is_revoked_when_central_coordinator_runs_revoke_action(
    as_ievp_central, ievp_central, olaine
):
    invitation = services.invitation_create(actor=ievp_central, email="x@example.lv", units=[olaine])
    data = {"action": "revoke_selected", "_selected_action": [invitation.pk]}
    response = as_ievp_central.post(_url("coordinatorinvitation_changelist"), data)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == CoordinatorInvitation.Status.REVOKED
    assert invitation.revoked_by == ievp_central
    assert AuditEvent.objects.filter(action="invitation.revoke", target_id=str(invitation.pk)).exists()


def test_other_institutions_invitation_stays_pending_when_central_coordinator_runs_revoke_action(
    as_ievp_central, vpd_central, vpd_department
):
    invitation = services.invitation_create(actor=vpd_central, email="y@example.lv", units=[vpd_department])
    data = {"action": "revoke_selected", "_selected_action": [invitation.pk]}
    as_ievp_central.post(_url("coordinatorinvitation_changelist"), data)
    invitation.refresh_from_db()
    assert invitation.status == CoordinatorInvitation.Status.PENDING


# --- Audit trail


def test_audit_admin_refuses_add_and_change_when_central_coordinator_tries(as_ievp_central, ievp):
    event = services.audit_record(actor=None, action="test.ievp", institution=ievp)
    assert as_ievp_central.get(_url("auditevent_add")).status_code == 403
    response = as_ievp_central.get(_url("auditevent_change", event.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert as_ievp_central.post(_url("auditevent_change", event.pk), {"action": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "test.ievp"


def test_central_coordinator_sees_only_own_audit_events_when_listing_them(as_ievp_central, ievp, vpd):
    services.audit_record(actor=None, action="test.ievp", institution=ievp)
    foreign = services.audit_record(actor=None, action="test.vpd", institution=vpd)
    response = as_ievp_central.get(_url("auditevent_changelist"))
    actions = {event.action for event in response.context["cl"].result_list}
    assert "test.ievp" in actions
    assert "test.vpd" not in actions
    assert as_ievp_central.get(_url("auditevent_change", foreign.pk)).status_code == 302


# --- Users


def test_central_coordinator_gets_403_when_opening_user_admin(as_ievp_central):
    assert as_ievp_central.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_superuser_adds_user_by_email_when_posting_add_user_form(as_superuser):
    response = as_superuser.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.fields
    assert "username" not in response.context["adminform"].form.fields
    password = "Garš-un-drošs-42"
    data = {"email": "Jauns@Example.lv", "password1": password, "password2": password}
    response = as_superuser.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="jauns@example.lv")
    assert user.check_password(password)
    assert not user.is_staff


def test_add_user_form_reports_duplicate_when_email_differs_only_in_case(as_superuser):
    password = "Garš-un-drošs-42"
    data = {"email": "ADMIN@example.lv", "password1": password, "password2": password}
    response = as_superuser.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert get_user_model().objects.filter(email__iexact="admin@example.lv").count() == 1


def test_change_user_form_reports_duplicate_when_email_differs_only_in_case(as_superuser, volunteer):
    data = {"email": "ADMIN@example.lv", "first_name": "Zane", "last_name": "Liepiņa", "language": "lv"}
    response = as_superuser.post(reverse("admin:accounts_user_change", args=[volunteer.pk]), data)
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    volunteer.refresh_from_db()
    assert volunteer.email == "volunteer@example.lv"


def test_invitation_add_form_shows_an_error_when_the_person_already_coordinates_the_units(
    client, ievp_central, olaine_coordinator, olaine
):
    from django.urls import reverse

    from institutions.models import CoordinatorInvitation

    client.force_login(ievp_central)
    response = client.post(
        reverse("admin:institutions_coordinatorinvitation_add"),
        {"email": olaine_coordinator.email.upper(), "units": [olaine.pk], "language": "lv"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert olaine_coordinator.email.upper() in response.content.decode()
    assert not CoordinatorInvitation.objects.exists()
