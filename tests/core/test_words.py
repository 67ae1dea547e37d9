"""Latvian wording: messages that do not assume the reader's gender, one word for a required
field, a public menu that says what "apply" means, the volunteer's menu and the ministry's
home."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from institutions import permissions
from institutions.models import Institution, Unit

from ..factories import PASSWORD, InstitutionFactory, UnitFactory, UserFactory, VolunteerFactory

# A masculine past active participle that speaks to (or for) the reader:
# - after the verb "to be" in the 2nd person plural (polite "Jūs") or 1st/2nd singular:
#   "Jūs esat apstiprinājis", "Vai esat pārliecināti", "Esmu saglabājis", "neesat izveidojuši"
#   (masculine endings -is, -ies, -uši, -ušies and the passive -ts, -ti; an infinitive in -ties
#   such as "esat gatavi pieteikties" is not a participle);
# - before "kā" ("as"), the sign-in message's shape: "Veiksmīgi iegājuši kā …" (not -ies:
#   "Tu autentificējies kā …" is the 2nd person singular past, which has no gender).
# A participle agreeing with a noun ("termiņš beidzies", "mainījušies datumi", "likumiskais
# pārstāvis ir devis") or "we" ("esam nosūtījuši") is not addressed to the reader.
_PARTICIPLE = r"(?!\w+ties\b)\w+(?:uši|ušies|is|ies|ts|ti)\b"
MASCULINE_ADDRESS = re.compile(
    rf"\b(?:ne)?(?:esat|esmu|esi)\s+(?:\w+\s+)?{_PARTICIPLE}|\b\w+(?:uši|ušies|jis)\s+kā\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "text",
    [
        "Veiksmīgi iegājuši kā Zane Liepiņa.",
        "Jūs esat apstiprinājis zane@example.lv.",
        "Jūs esat izgājuši.",
        "Jūs jau esat ielogojies kā Zane.",
        "Esat pievienojis 2 drošības atslēgas.",
        "Esmu saglabājis savus atkopšanas kodus",
        "Vai esat pārliecināti?",
        "Jā, esmu pārliecināts",
        "Ja jūs vēl neesat izveidojuši kontu",
        "kamēr neesat apstiprinājis savu e-pasta adresi",
    ],
)
def test_pattern_flags_a_masculine_participle_when_it_addresses_the_reader(text):
    assert MASCULINE_ADDRESS.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Pieteikšanās veiksmīga: Zane Liepiņa.",
        "E-pasta adrese zane@example.lv ir apstiprināta.",
        "Jūs izgājāt no sistēmas.",
        "Jūs esat gaidīšanas rindā",
        "Likumiskais pārstāvis ir devis rakstisku piekrišanu",
        "Mainījušies datumi, laiki vai vieta apmācībai",
        "Mēs esam nosūtījuši kodu",
        "Šīs grupas termiņš ir beidzies.",
        "Jūs varat pieteikties savā kontā",
        "Tu autentificējies kā Zane, bet tev nav pilnvaru",
        "Jūs jau esat sistēmā kā Zane.",
    ],
)
def test_pattern_leaves_a_text_alone_when_it_is_neutral_or_agrees_with_a_noun(text):
    assert not MASCULINE_ADDRESS.search(text)


def test_no_latvian_message_addresses_the_reader_as_a_man_when_the_catalogue_is_compiled():
    # The merged compiled catalogue that users see: Django's, allauth's and ours (which wins).
    # Iterating it yields every layer's entry; looking each key up gives the one that wins.
    catalogue = trans_real.translation("lv")._catalog
    offending = {}
    for key in {key for key, _ in catalogue.items()}:
        value = catalogue[key]
        if MASCULINE_ADDRESS.search(value):
            offending[key[0] if isinstance(key, tuple) else key] = value
    assert not offending, offending


def test_sign_in_message_is_gender_neutral_when_signing_in_in_latvian(client, db):
    user = UserFactory(email="zane@example.lv", first_name="Zane", last_name="Liepiņa")
    response = client.post(
        reverse("account_login"),
        {"login": "zane@example.lv", "password": PASSWORD},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="lv",
    )
    assert response.wsgi_request.user == user
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Pieteikšanās veiksmīga: Zane Liepiņa."]
    body = response.content.decode()
    assert "Pieteikšanās veiksmīga: Zane Liepiņa." in body
    assert "iegājuši" not in body


def test_sign_out_message_is_gender_neutral_when_signing_out_in_latvian(client, db):
    user = UserFactory(email="zane@example.lv", first_name="Zane", last_name="Liepiņa")
    client.force_login(user)
    response = client.post(reverse("account_logout"), follow=True, HTTP_ACCEPT_LANGUAGE="lv")
    assert [str(message) for message in response.context["messages"]] == ["Jūs izgājāt no sistēmas."]


def test_email_confirmed_message_is_gender_neutral_when_rendered_in_latvian():
    with translation.override("lv"):
        assert (
            translation.gettext("You have confirmed %(email)s.") % {"email": "zane@example.lv"}
            == "E-pasta adrese zane@example.lv ir apstiprināta."
        )


# --- "Šis lauks ir obligāts."


def test_required_field_error_says_obligats_when_the_public_form_is_submitted_empty(client, db):
    response = client.post(reverse("volunteers:apply"), {}, HTTP_ACCEPT_LANGUAGE="lv")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Šis lauks ir obligāts." in body
    assert "nepieciešams" not in body


def test_required_field_error_says_obligats_when_any_django_form_is_validated_in_latvian():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField()

    with translation.override("lv"):
        form = Form(data={})
        assert form.errors["name"] == ["Šis lauks ir obligāts."]


# --- Menus


def test_public_menu_offers_becoming_a_volunteer_when_signed_out(client, db):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "Kļūt par brīvprātīgo" in body
    assert ">Pieteikties<" not in body


def test_volunteer_menu_links_every_own_page_when_a_volunteer_is_signed_in(client, db):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)
    response = client.get(reverse("volunteers:my_data"), HTTP_ACCEPT_LANGUAGE="lv")
    nav = response.content.decode().split('id="main-nav"')[1].split("</nav>")[0]
    for url, label in [
        (reverse("volunteers:my_applications"), "Mani pieteikumi"),
        (reverse("agreements:my_agreements"), "Manas vienošanās"),
        (reverse("trainings:my_trainings"), "Manas apmācības"),
        (reverse("events:my_events"), "Mani pasākumi"),
        (reverse("events:my_hours"), "Manas stundas"),
        (reverse("volunteers:profile"), "Mana informācija"),
        (reverse("volunteers:my_data"), "Mani dati"),
    ]:
        assert f'href="{url}">{label}</a>' in nav, label
    assert 'aria-current="page"' in nav


# --- The ministry's home


@pytest.fixture
def ministry_office(db):
    """The Ministry of Justice and its own office, as the initial data has them."""
    institution = InstitutionFactory(code=Institution.Code.TM, name="Tieslietu ministrija", short_name="TM")
    return UnitFactory(
        institution=institution,
        slug="tieslietu-ministrija",
        name="Tieslietu ministrija",
        kind=Unit.Kind.CENTRAL_OFFICE,
    )


def test_ministry_home_is_an_overview_of_the_volunteer_institutions_when_signed_in(
    client, ministry_office, ministry, olaine, vpd_department
):
    assert ministry_office.pk in permissions.unit_ids_for(ministry)  # the ministry may see it
    client.force_login(ministry)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="lv")
    body = response.content.decode()
    codes = [block.institution.code for block in response.context["blocks"]]
    assert codes == [Institution.Code.IEVP, Institution.Code.VPD]
    units = [row.unit for block in response.context["blocks"] for row in block.rows]
    assert olaine in units and vpd_department in units
    assert ministry_office not in units
    assert reverse("institutions:unit_detail", kwargs={"unit_slug": ministry_office.slug}) not in body
    assert re.search(r"<title>\s*Pārskats", body)
    assert re.search(r"<h1[^>]*>\s*Pārskats\s*</h1>", body)
    assert "Manas struktūrvienības" not in body


def test_coordinator_home_keeps_its_title_when_a_unit_coordinator_signs_in(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert re.search(r"<h1[^>]*>\s*Manas struktūrvienības\s*</h1>", body)


@pytest.mark.parametrize(
    "url_name", ["volunteers:inbox", "agreements:list", "trainings:sessions", "privacy:retention"]
)
def test_breadcrumb_says_overview_when_the_ministry_reads_a_list(client, ministry, olaine, url_name):
    client.force_login(ministry)
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="lv")
    assert response.status_code == 200
    crumbs = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', response.content.decode(), re.S).group(1)
    assert "Pārskats" in crumbs
    assert "Manas struktūrvienības" not in crumbs


def test_breadcrumb_says_my_units_when_a_coordinator_reads_a_list(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    body = client.get(reverse("volunteers:inbox"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    crumbs = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', body, re.S).group(1)
    assert "Manas struktūrvienības" in crumbs
