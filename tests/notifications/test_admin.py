"""Reminders in the admin panel: read-only, for superusers only, with the kind's label."""

from datetime import date

from django.urls import reverse

from notifications.models import Reminder


def _url(name, *args):
    return reverse(f"admin:notifications_{name}", args=args)


def test_reminders_admin_is_for_superusers_only(client, ievp_central, superuser):
    client.force_login(ievp_central)
    assert client.get(_url("reminder_changelist")).status_code == 403

    client.force_login(superuser)
    assert client.get(_url("reminder_changelist")).status_code == 200


def test_reminders_admin_shows_the_kind_label_and_changes_nothing_when_superuser(client, superuser):
    reminder = Reminder.objects.create(
        kind="unsigned_14", target="agreement:42", due_date=date(2026, 3, 2), recipient="liga@example.lv"
    )
    client.force_login(superuser)

    page = client.get(_url("reminder_changelist"), {"kind": "unsigned_14"}).content.decode()
    assert "Vienošanās 14 dienas nav parakstīta" in page  # the superuser's language: Latvian
    assert "agreement:42" in page
    detail = client.get(_url("reminder_change", reminder.pk))
    assert detail.status_code == 200
    assert client.post(_url("reminder_change", reminder.pk), {"target": "x"}).status_code == 403
    assert client.get(_url("reminder_add")).status_code == 403
    assert client.get(_url("reminder_delete", reminder.pk)).status_code == 403
