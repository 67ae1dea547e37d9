"""The navigation bar's parts are rendered once per combination of what they show and then
reused (core/templatetags/menu.py): a reused part is exactly what a fresh rendering gives,
follows the person's roles, language and current page, and holds nothing per request."""

import re

import pytest

from core.templatetags import menu
from institutions import permissions

from ..factories import ApplicationFactory, VolunteerFactory

BAR = "includes/navbar.html"


def _nav(response) -> str:
    html = response.content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    # What differs from one request to the next whatever the menus: the CSRF tokens.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", nav)


def _rendered(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.fixture
def volunteer_with_profile(volunteer, olaine):
    ApplicationFactory(unit=olaine, volunteer=VolunteerFactory(user=volunteer))
    return volunteer


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("olaine_coordinator", "/"),
        ("olaine_coordinator", "/agreements/"),
        ("ievp_central", "/trainings/"),
        ("ministry", "/"),
        ("superuser", "/"),
        ("volunteer_with_profile", "/me/agreements/"),
        (None, "/balva/"),
    ],
)
def test_memoised_menu_is_what_a_fresh_rendering_gives_when_a_page_is_read_again(
    db, client, request, who, url
):
    if who:
        client.force_login(request.getfixturevalue(who))
    first = client.get(url)
    assert first.status_code == 200
    assert BAR in _rendered(first)
    again = client.get(url)
    assert BAR not in _rendered(again)  # reused, not rendered
    menu.forget()
    fresh = client.get(url)
    assert BAR in _rendered(fresh)
    assert _nav(again) == _nav(fresh)


def test_memoised_menu_marks_the_current_page_when_moving_between_pages(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    for _ in range(2):
        inbox = _nav(client.get("/applications/"))
        agreements = _nav(client.get("/agreements/"))
        assert re.search(r'nav-link active"\s+href="/applications/"', inbox)
        assert not re.search(r'nav-link active"\s+href="/agreements/"', inbox)
        assert re.search(r'nav-link active"\s+href="/agreements/"', agreements)


def test_memoised_menu_follows_the_roles_when_a_role_is_granted(client, olaine_coordinator, ievp):
    client.force_login(olaine_coordinator)
    assert "/coordinators/" not in _nav(client.get("/"))
    permissions.grant_central_coordinator(olaine_coordinator, ievp)
    assert "/coordinators/" in _nav(client.get("/"))


def test_memoised_menu_follows_the_language_when_it_changes(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    client.post("/i18n/setlang/", {"language": "lv", "next": "/"})
    assert "Iziet" in _nav(client.get("/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _nav(client.get("/"))
    assert "Sign out" in english
    assert "Iziet" not in english


def test_memoised_menu_is_per_person_when_two_people_share_roles(client, olaine_coordinator, olaine):
    from ..factories import unit_coordinator

    other = unit_coordinator(olaine, email="cits@example.lv", first_name="Ēriks", last_name="Zariņš")
    client.force_login(olaine_coordinator)
    assert "Līga Ozoliņa" in _nav(client.get("/"))
    client.force_login(other)
    nav = _nav(client.get("/"))
    assert "Ēriks Zariņš" in nav
    assert "Līga Ozoliņa" not in nav


def test_menu_keeps_a_fresh_csrf_token_and_return_address_when_memoised(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    client.get("/agreements/")
    html = client.get("/agreements/?page=1").content.decode()
    assert 'name="next" value="/agreements/?page=1"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # language switch and sign out


def test_memoised_menus_token_is_accepted_when_the_language_is_switched(db, olaine_coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(olaine_coordinator)
    client.get("/agreements/")
    html = client.get("/agreements/").content.decode()  # the bar reused
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1 and menu._CSRF_SLOT not in html
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens.pop()}
    )
    assert response.status_code == 302


# --- {% keep %}: the parts of the layout that show nothing of the page or the person


def _outside_nav(response) -> str:
    html = response.content.decode()
    return html[: html.index("<nav")] + html[html.index("</nav>") :]


def test_kept_parts_are_what_a_fresh_rendering_gives_when_a_page_is_read_again(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    client.get("/agreements/")
    again = _outside_nav(client.get("/agreements/"))
    menu.forget()
    fresh = _outside_nav(client.get("/agreements/"))
    assert again == fresh
    # each part is kept apart: the stylesheets, the skip link, the footer and the scripts
    assert again.count("bootstrap.min.css") == 1
    assert again.count("<footer") == 1
    assert again.count("Pāriet uz saturu") == 1
    assert again.index("bootstrap.min.css") < again.index("<footer") < again.index("bootstrap.bundle")


def test_kept_parts_follow_the_language_when_it_changes(client, olaine_coordinator):
    client.force_login(olaine_coordinator)
    assert "Privātuma paziņojums" in _outside_nav(client.get("/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _outside_nav(client.get("/"))
    assert "Privacy notice" in english
    assert "Privātuma paziņojums" not in english


@pytest.mark.parametrize("debug", [False, True])
def test_kept_part_shows_no_variable_of_the_page_when_rendered(settings, debug):
    from django.template import engines

    settings.DEBUG = debug
    kept = engines["django"].from_string("{% load menu %}{% keep %}[{{ secret }}]{% endkeep %}{{ secret }}")
    assert kept.render({"secret": "s3"}) == "[]s3"
    assert kept.render({"secret": "other"}) == "[]other"


def test_keep_refuses_arguments_when_given_some():
    from django.template import TemplateSyntaxError, engines

    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load menu %}{% keep 1 %}x{% endkeep %}")


def test_memo_keeps_at_most_its_limit_when_many_combinations_are_seen(
    monkeypatch, client, olaine_coordinator
):
    monkeypatch.setattr(menu, "MAX_ENTRIES", 3)
    client.force_login(olaine_coordinator)
    for url in ("/", "/applications/", "/agreements/", "/trainings/"):
        client.get(url)
    assert len(menu._parts) == 3
