"""The public verification page: what a code stands for (kind, number, issuer, date) and
whether the document is valid, superseded, expired or revoked — no personal data beyond the
holder's initials; codes are unguessable, typed codes are forgiven their dashes and case,
and lookups are rate limited per address."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement
from documents import selectors
from documents.models import CODE_ALPHABET, CODE_LENGTH, Document, new_verification_code
from documents.registry import initials
from tests.agreements import builders
from tests.factories import document_row


@pytest.fixture
def issued(olaine):
    """An agreement in force at Olaine with its rendered PDF (version 1)."""
    agreement = builders.agreement_row(olaine, status="active", email="ilze.zarina@example.lv")
    agreement.volunteer.user.first_name, agreement.volunteer.user.last_name = "Ilze", "Zariņa"
    agreement.volunteer.user.save()
    document = document_row(
        agreement, state=Document.State.DONE, finished_at=timezone.now(), holder_initials="I. Z.", size=9
    )
    document.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    return document


def _verify(client, code):
    return client.get(reverse("documents:verify", args=[code]))


def test_page_says_genuine_and_valid_with_number_issuer_and_initials_when_the_code_is_known(client, issued):
    response = _verify(client, issued.verification_code)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"].status == "valid"
    assert "Genuine and valid." in page or "Īsts un derīgs." in page
    assert issued.number in page
    assert "Ieslodzījuma vietu pārvalde" in page and "Olaines cietums" in page
    assert "I. Z." in page
    assert "Zariņa" not in page and "ilze.zarina" not in page
    assert issued.code_display in page


def test_typed_code_is_found_when_it_has_dashes_spaces_and_small_letters(client, issued):
    typed = " " + issued.code_display.lower().replace("-", " - ") + " "

    response = client.get(reverse("documents:verify_form"), {"code": typed})

    assert response.status_code == 200
    assert response.context["result"].document == issued


def test_unknown_code_answers_404_with_an_explanation_when_nothing_matches(client, issued):
    response = _verify(client, "AAAA-BBBB-CCCC")

    assert response.status_code == 404
    assert response.context["result"] is None
    assert "verify-result" in response.content.decode()


def test_page_says_superseded_when_a_newer_version_is_done(client, issued):
    agreement = Agreement.objects.get(pk=issued.object_id)
    document_row(agreement, version=2, state=Document.State.DONE, finished_at=timezone.now())

    result = _verify(client, issued.verification_code).context["result"]

    assert result.status == "superseded"
    assert result.newer_version == 2


def test_page_says_revoked_at_once_when_the_agreement_is_terminated(client, issued, olaine_coordinator):
    agreement = Agreement.objects.get(pk=issued.object_id)
    today = timezone.localdate()

    services.agreement_terminate(
        actor=olaine_coordinator,
        agreement=agreement,
        terminated_by=Agreement.TerminatedBy.ORGANISATION,
        notice_date=today,
        ended_on=today + timedelta(days=5),
        reason="Programma slēgta",
    )

    response = _verify(client, issued.verification_code)
    assert response.context["result"].status == "revoked"
    issued.refresh_from_db()
    assert issued.revoked_at is not None


def test_page_says_expired_when_the_agreement_period_is_over(client, olaine):
    agreement = builders.agreement_row(
        olaine,
        status="ended",
        start=timezone.localdate() - timedelta(days=400),
        end=timezone.localdate() - timedelta(days=2),
    )
    document = document_row(agreement, state=Document.State.DONE, finished_at=timezone.now())

    result = _verify(client, document.verification_code).context["result"]

    assert result.status == "expired"
    assert result.valid_until == agreement.end_date


def test_page_says_not_issued_yet_when_the_pdf_is_still_being_made(client, olaine):
    document = document_row(builders.agreement_row(olaine), state=Document.State.QUEUED)

    assert _verify(client, document.verification_code).context["result"].status == "pending"


@override_settings(TILTS_VERIFY_RATE_PER_HOUR=3)
def test_lookups_answer_429_when_one_address_asks_too_often(client, issued):
    for _ in range(3):
        assert _verify(client, "AAAA-BBBB-CCCC").status_code == 404

    response = _verify(client, issued.verification_code)

    assert response.status_code == 429
    assert "result" not in response.context
    assert issued.number not in response.content.decode()


def test_form_alone_does_not_count_against_the_limit_when_no_code_is_given(client):
    with override_settings(TILTS_VERIFY_RATE_PER_HOUR=1):
        for _ in range(3):
            assert client.get(reverse("documents:verify_form")).status_code == 200


def test_codes_are_long_random_and_unambiguous_when_made():
    codes = {new_verification_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("ILOU") & set(CODE_ALPHABET)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ilze Zariņa", "I. Z."), ("Ērika Ķirša-Žūriņa", "Ē. Ķ. Ž."), ("", "")],
)
def test_initials_keep_latvian_letters_when_a_name_is_shortened(name, expected):
    assert initials(name) == expected


def test_verification_query_count_is_fixed_when_the_code_is_known(issued, django_assert_num_queries):
    # document + unit + institution (one join), newer version, the subject's validity
    with django_assert_num_queries(3):
        selectors.verification_for(issued.verification_code)
