"""An IeVP agreement is a "līgums" from the first page to the last email: the whole
lifecycle, read by the coordinator and by the volunteer in Latvian, never says
"vienošanās" (and a VPD one never says "līgums"). See agreements/terms.py."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from agreements import services
from agreements.models import Status
from notifications import reminders
from volunteers import services as volunteer_services
from volunteers.models import Status as ApplicationStatus

from . import builders

FOREIGN_WORD = {
    "ligums": re.compile(r"\bvienošan\w*", re.IGNORECASE),
    "vienosanas": re.compile(r"\blīgum\w*", re.IGNORECASE),  # not "Izlīguma procesa starpnieks"
}


def _offending(texts: dict[str, str], term: str) -> dict[str, list[str]]:
    """Each text that shows the other institution's word, with the words around it."""
    found = {}
    for where, text in texts.items():
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
        hits = [text[max(0, m.start() - 50) : m.end() + 30] for m in FOREIGN_WORD[term].finditer(text)]
        if hits:
            found[where] = hits
    return found


def _read(client, user, name, *args, texts, method="get", data=None) -> None:
    client.force_login(user)
    url = reverse(name, args=args)
    response = getattr(client, method)(url, data or {}, follow=True)
    assert response.status_code in (200, 400), (url, response.status_code)  # 400: a refused form
    texts[f"{method} {url}"] = response.content.decode()


def _walk(client, unit, coordinator, capture) -> dict[str, str]:
    """Every page, message, error and email of one agreement's life, in Latvian."""
    texts: dict[str, str] = {}
    with capture(execute=True):
        _lifecycle(client, unit, coordinator, texts)
    return texts


def _lifecycle(client, unit, coordinator, texts) -> None:
    builders.current_template(unit.institution)
    app = builders.application(unit, status=ApplicationStatus.TRAINING, email=f"v-{unit.pk}@example.lv")
    volunteer = app.volunteer.user
    volunteer_services.application_transition(
        application_id=app.pk, to=ApplicationStatus.AGREEMENT, actor=coordinator
    )
    _read(client, coordinator, "volunteers:application_detail", app.pk, texts=texts)
    _read(client, coordinator, "agreements:create", app.pk, texts=texts)
    _read(client, volunteer, "volunteers:my_applications", texts=texts)

    agreement = builders.draft(unit, coordinator, app=app)
    _read(client, coordinator, "agreements:detail", agreement.pk, texts=texts)
    _read(client, coordinator, "agreements:edit", agreement.pk, texts=texts)
    _read(client, coordinator, "agreements:generate", agreement.pk, texts=texts, method="post")
    _read(client, coordinator, "agreements:send", agreement.pk, texts=texts, method="post")
    _read(client, volunteer, "agreements:my_agreements", texts=texts)
    _read(
        client,
        coordinator,
        "agreements:sign",
        agreement.pk,
        texts=texts,
        method="post",
        data={"signed_on": "", "scan": ""},
    )  # refused: the form's errors
    agreement.refresh_from_db()
    services.agreement_sign(
        actor=coordinator, agreement=agreement, scan=builders.scan(), signed_on=timezone.localdate()
    )
    texts["refusals"] = ""
    with translation.override("lv"):
        for call in (
            lambda: services.agreement_generate(actor=coordinator, agreement=agreement),
            lambda: services.agreement_mark_sent(actor=coordinator, agreement=agreement),
            lambda: services.agreement_terminate(
                actor=coordinator,
                agreement=agreement,
                terminated_by="institution",
                ended_on=timezone.localdate() - timedelta(days=400),
                notice_date=timezone.localdate(),
                reason="x",
            ),
        ):
            with pytest.raises(ValidationError) as refused:
                call()
            texts["refusals"] += " ".join(refused.value.messages) + " "
    _read(client, coordinator, "agreements:detail", agreement.pk, texts=texts)
    _read(
        client,
        coordinator,
        "agreements:terminate",
        agreement.pk,
        texts=texts,
        method="post",
        data={"terminated_by": "", "ended_on": "", "notice_date": "", "reason": ""},
    )
    _read(client, coordinator, "volunteers:application_detail", app.pk, texts=texts)
    _read(client, coordinator, "agreements:list", texts=texts)
    _read(client, volunteer, "agreements:my_agreements", texts=texts)
    _read(client, volunteer, "volunteers:my_applications", texts=texts)
    _read(client, volunteer, "volunteers:my_data", texts=texts)
    _read(client, volunteer, "volunteers:my_data_html", texts=texts)
    _read(client, volunteer, "volunteers:erasure_request", texts=texts)


def _emails(recipients: set[str]) -> dict[str, str]:
    return {
        f"mail {n} {message.subject}": f"{message.subject}\n{message.body}"
        for n, message in enumerate(mail.outbox)
        if recipients & set(message.to)
    }


def test_ievp_agreement_never_says_vienosanas_when_read_through_its_whole_life(
    client, olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    texts = _walk(client, olaine, olaine_coordinator, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    builders.agreement_row(olaine, end=today + timedelta(days=7), status=Status.ACTIVE, email="r1@example.lv")
    builders.agreement_row(
        olaine,
        status=Status.SENT,
        start=today + timedelta(days=20),
        generated_at=timezone.now() - timedelta(days=15),
        email="r2@example.lv",
    )
    reminders.reminders_send(today=today)
    texts |= _emails(
        {f"v-{olaine.pk}@example.lv", "r1@example.lv", "r2@example.lv", olaine_coordinator.email}
    )

    assert "Līgum" in texts["refusals"] + "".join(texts.values())
    offending = _offending(texts, "ligums")
    assert offending == {}, "\n".join(f"{k}: {v}" for k, v in offending.items())


def test_vpd_agreement_never_says_ligums_when_read_through_its_whole_life(
    client, vpd_department, vpd_coordinator, django_capture_on_commit_callbacks
):
    texts = _walk(client, vpd_department, vpd_coordinator, django_capture_on_commit_callbacks)
    texts |= _emails({f"v-{vpd_department.pk}@example.lv", vpd_coordinator.email})

    offending = _offending(texts, "vienosanas")
    assert offending == {}, "\n".join(f"{k}: {v}" for k, v in offending.items())
