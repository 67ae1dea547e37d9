"""The word for the agreement follows the institution: "līgums" at IeVP, "vienošanās" at VPD
(agreements/terms.py), in the pages, the emails and the PDF."""

import ast
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from agreements import terms
from agreements.rendering import print_context
from notifications import reminders
from volunteers.models import Status as ApplicationStatus

from . import builders


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_ievp_agreement_page_says_ligums_and_vpd_one_says_vienosanas(
    client, olaine, olaine_coordinator, vpd_department, vpd_coordinator
):
    ievp_agreement = builders.agreement_row(olaine, email="ievp@example.lv")
    vpd_agreement = builders.agreement_row(vpd_department, email="vpd@example.lv")

    ievp_page = _page(client, olaine_coordinator, reverse("agreements:detail", args=[ievp_agreement.pk]))
    assert f"Līgums {ievp_agreement.number}" in ievp_page
    assert "Līguma statuss" in ievp_page
    assert "Parakstīts" in ievp_page  # the status step agrees with "līgums"
    assert "Sagatavot līgumu" in ievp_page or "Izbeigt līgumu pirms termiņa" in ievp_page
    assert f"Vienošanās {ievp_agreement.number}" not in ievp_page

    vpd_page = _page(client, vpd_coordinator, reverse("agreements:detail", args=[vpd_agreement.pk]))
    assert f"Vienošanās {vpd_agreement.number}" in vpd_page
    assert "Parakstīta" in vpd_page
    assert f"Līgums {vpd_agreement.number}" not in vpd_page
    assert "Līguma statuss" not in vpd_page


def test_reminder_email_says_ligums_at_ievp_and_vienosanas_at_vpd(
    olaine, olaine_coordinator, vpd_department, vpd_coordinator
):
    today = timezone.localdate()
    ievp_agreement = builders.agreement_row(olaine, end=today + timedelta(days=20), email="i@example.lv")
    vpd_agreement = builders.agreement_row(
        vpd_department, end=today + timedelta(days=20), email="v@example.lv"
    )

    reminders.reminders_send(today=today)

    ievp_mail = [m for m in mail.outbox if ievp_agreement.number in m.subject]
    vpd_mail = [m for m in mail.outbox if vpd_agreement.number in m.subject]
    assert ievp_mail and vpd_mail
    for message in ievp_mail:
        assert "līgums" in (message.subject + message.body).lower()
        assert "vienošan" not in (message.subject + message.body).lower()
    for message in vpd_mail:
        assert "vienošanās" in (message.subject + message.body).lower()
        assert "līgum" not in (message.subject + message.body).lower()


def test_pdf_title_follows_the_institution(olaine, olaine_coordinator, vpd_department, vpd_coordinator):
    ievp_draft = builders.draft(olaine, olaine_coordinator)
    vpd_draft = builders.draft(vpd_department, vpd_coordinator)

    assert print_context(ievp_draft)["document_title"] == "Brīvprātīgā darba līgums"
    assert print_context(vpd_draft)["document_title"] == "Vienošanās par brīvprātīgā darba veikšanu"


def test_pipeline_step_is_named_apart_from_the_menu():
    with translation.override("lv"):
        step = str(ApplicationStatus.AGREEMENT.label)
        menus = {translation.pgettext(context, "Agreements") for context in terms.CONTEXTS.values()}
    assert step == "Parakstīšana"
    assert step not in menus
    assert menus == {"Vienošanās", "Līgumi", "Vienošanās un līgumi"}


def test_menu_uses_the_coordinators_word_and_both_for_the_ministry(
    client, olaine_coordinator, vpd_coordinator, ministry
):
    home = reverse("agreements:list")
    assert ">Līgumi</a>" in _page(client, olaine_coordinator, home)
    assert ">Vienošanās</a>" in _page(client, vpd_coordinator, home)
    assert ">Vienošanās un līgumi</a>" in _page(client, ministry, home)


def test_menu_word_follows_the_institution_when_its_word_changes(client, olaine_coordinator, olaine):
    home = reverse("agreements:list")
    assert ">Līgumi</a>" in _page(client, olaine_coordinator, home)  # the roles are now cached
    institution = olaine.institution
    institution.agreement_term = terms.VIENOSANAS
    institution.save()
    assert ">Vienošanās</a>" in _page(client, olaine_coordinator, home)


def test_roles_carry_the_words_of_the_viewed_institutions_without_the_ministrys(
    olaine_coordinator, vpd_coordinator, ministry, superuser
):
    from institutions import permissions

    assert permissions.roles_for(olaine_coordinator).agreement_terms == {terms.LIGUMS}
    assert permissions.roles_for(vpd_coordinator).agreement_terms == {terms.VIENOSANAS}
    assert permissions.roles_for(ministry).agreement_terms == {terms.LIGUMS, terms.VIENOSANAS}
    assert permissions.roles_for(superuser).agreement_terms == {terms.LIGUMS, terms.VIENOSANAS}


def test_status_labels_agree_with_the_word(olaine, vpd_department):
    with translation.override("lv"):
        assert terms.AgreementTerms(terms.LIGUMS).status_label("signed") == "Parakstīts"
        assert terms.AgreementTerms(terms.VIENOSANAS).status_label("signed") == "Parakstīta"
        assert terms.AgreementTerms(terms.LIGUMS).status_label("ended") == "Izbeigts"


def test_catalogue_holds_every_contextual_text_of_the_templates():
    """agreements/term_catalogue.py is written by ``manage.py agreement_terms``; rerun it."""
    tree = ast.parse(terms.CATALOGUE_PATH.read_text(encoding="utf-8"))
    stored = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"pgettext", "npgettext"}:
            values = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            plural = values[2] if node.func.id == "npgettext" else None
            stored.add((values[0], values[1], plural))
    assert set(terms.template_messages()) == stored


def test_ievp_text_says_ligums_when_the_migration_gave_it_a_new_version(olaine, olaine_coordinator):
    from django.template.loader import render_to_string

    from agreements.services import template_current

    template = template_current(institution=olaine.institution, role=None)
    assert template.version >= 2
    assert "vienošan" not in template.body.lower()
    ievp_draft = builders.draft(olaine, olaine_coordinator)
    with translation.override("lv"):
        html = render_to_string("pdf/agreement.html", print_context(ievp_draft))
    assert "noslēdz šo līgumu" in html
    assert "vienošan" not in html.lower()


def test_vpd_text_keeps_vienosanas(vpd_department, vpd_coordinator):
    from agreements.services import template_current

    template = template_current(institution=vpd_department.institution, role=None)
    assert template.version == 1
    assert "noslēdz šo vienošanos" in template.body
