"""The shared base of the coordinators' list filters (``core.filters``): units limited to
what the person may see, invalid values ignored, search by words, a counted tab, one
ordering and page size — and the three lists (inbox, agreements, sessions) built on it."""

from __future__ import annotations

import django_filters
import pytest
from django.http import QueryDict
from django.urls import reverse

from agreements.selectors import AgreementFilter
from core import filters
from core.filters import PAGE_SIZE, StaffListFilter, counted_tabs, list_page
from institutions.models import Institution, Unit
from tests.factories import ApplicationFactory, InstitutionFactory, UnitFactory, UserFactory
from trainings.selectors import SessionFilter
from volunteers.models import Application, Status
from volunteers.selectors import ApplicationFilter


class _Filter(StaffListFilter):
    status = django_filters.ChoiceFilter(choices=Status.choices)

    search_fields = ("reference", "volunteer__user__last_name", "volunteer__user__email")
    search_placeholder = "Name or reference"
    ordering = ("-submitted_at", "-pk")

    class Meta:
        model = Application
        fields = ["q", "status", "unit"]


def _filter(user, query: str = "") -> _Filter:
    params = QueryDict(query)
    return _Filter(params or None, queryset=Application.objects.visible_to(user), user=user)


def _application(unit, *, reference: str, last_name: str = "Bērziņa", status: str = Status.SUBMITTED):
    user = UserFactory(last_name=last_name, email=f"{reference.lower()}@example.lv")
    return ApplicationFactory(unit=unit, reference=reference, volunteer__user=user, status=status)


@pytest.fixture
def ministry_unit(db):
    tm = InstitutionFactory(code=Institution.Code.TM, name="Tieslietu ministrija", short_name="TM")
    return UnitFactory(institution=tm, slug="tm", name="Ministrija")


def test_unit_filter_is_left_out_when_the_person_sees_one_unit(olaine_coordinator):
    filterset = _filter(olaine_coordinator)

    assert [unit.slug for unit in filterset.units] == ["olaines-cietums"]
    assert "unit" not in filterset.form.fields


def test_units_offered_are_only_those_the_person_sees_when_several(ievp_central, vpd_department):
    field = _filter(ievp_central).form.fields["unit"]
    labels = [label for _value, label in field.choices]

    assert labels[0] == "Visas"  # Latvian, the default language
    assert {"Olaines cietums", "Jelgavas cietums"} <= set(labels)
    assert vpd_department.name not in labels
    assert set(labels[1:]) == {unit.name for unit in Unit.objects.filter(institution__code="IEVP")}


def test_units_name_their_institution_without_the_ministrys_own_when_the_list_spans_several(
    ministry_unit, olaine, jelgava, vpd_department, ministry
):
    field = _filter(ministry).form.fields["unit"]
    labels = [label for _value, label in field.choices][1:]

    assert {"IeVP — Olaines cietums", "VPD — Jelgavas 1. nodaļa"} <= set(labels)
    assert all(label.startswith(("IeVP — ", "VPD — ")) for label in labels), labels
    assert labels == sorted(labels, key=lambda label: label.split(" — ")[0])  # by institution


def test_unit_choices_are_not_read_twice_when_the_form_is_rendered(ievp_central, django_assert_num_queries):
    filterset = _filter(ievp_central)
    form = filterset.form

    with django_assert_num_queries(0):
        html = str(form["unit"])

    assert 'id="filter-unit"' in html and 'value="olaines-cietums"' in html


def test_someone_elses_unit_is_ignored_never_widened_when_asked_for(
    olaine, jelgava, vpd_department, ievp_central
):
    mine = _application(olaine, reference="T2026-00001")
    theirs = _application(vpd_department, reference="T2026-00002")
    filterset = _filter(ievp_central, f"unit={vpd_department.slug}")

    rows = filterset.filter_without(filterset.queryset)

    assert list(rows) == [mine]
    assert theirs not in rows
    assert "unit" in filterset.form.errors
    assert "unit" not in filterset.values


def test_search_needs_every_word_to_match_some_field_when_several_are_typed(olaine, olaine_coordinator):
    both = _application(olaine, reference="T2026-00011", last_name="Kalniņa")
    _application(olaine, reference="T2026-00012", last_name="Kalniņa")
    _application(olaine, reference="T2026-00011-X", last_name="Ozola")

    filterset = _filter(olaine_coordinator, "q=kalni%C5%86a+00011")

    assert list(filterset.filter_without(filterset.queryset)) == [both]


def test_search_counts_only_the_first_words_when_too_many_are_typed(olaine, olaine_coordinator):
    found = _application(olaine, reference="T2026-00021")
    words = "+".join(["T2026"] * filters.SEARCH_TERMS + ["nothing-matches-this"])

    filterset = _filter(olaine_coordinator, f"q={words}")

    assert list(filterset.filter_without(filterset.queryset)) == [found]


def test_tab_is_counted_apart_from_the_other_filters_when_chosen(olaine, olaine_coordinator):
    submitted = _application(olaine, reference="T2026-00031", last_name="Liepa")
    _application(olaine, reference="T2026-00032", last_name="Liepa", status=Status.SCREENING)
    _application(olaine, reference="T2026-00033", last_name="Egle")
    filterset = _filter(olaine_coordinator, "status=submitted&q=Liepa")

    without_tab = filterset.filter_without(filterset.queryset, "status")

    assert without_tab.count() == 2
    assert list(filterset.filter_tab(without_tab)) == [submitted]
    assert filterset.tab_value == "submitted"
    assert filterset.filtered  # the search; the tab alone is not "filtered"
    assert not _filter(olaine_coordinator, "status=submitted").filtered


def test_rows_are_newest_first_with_the_key_breaking_ties_when_ordered(olaine, olaine_coordinator):
    first = _application(olaine, reference="T2026-00041")
    second = _application(olaine, reference="T2026-00042")
    Application.objects.filter(pk__in=[first.pk, second.pk]).update(submitted_at=first.submitted_at)
    filterset = _filter(olaine_coordinator)

    assert list(filterset.order(filterset.queryset)) == [second, first]


def test_fields_are_styled_and_named_for_their_labels_when_the_form_is_built(olaine_coordinator):
    fields = _filter(olaine_coordinator).form.fields

    assert fields["q"].widget.input_type == "search"
    assert fields["q"].widget.attrs == {
        "placeholder": "Name or reference",
        "class": "form-control form-control-sm",
        "id": "filter-q",
    }
    assert fields["status"].widget.attrs == {"class": "form-select form-select-sm", "id": "filter-status"}


def test_tabs_keep_the_other_filters_and_count_all_when_built():
    params = QueryDict("q=Liepa&status=submitted&page=3")

    tabs = counted_tabs(
        params,
        name="status",
        options=[("", "All"), ("submitted", "Submitted")],
        counts={"all": 5, "submitted": 2},
        current="submitted",
    )

    assert tabs == [
        {"value": "", "label": "All", "count": 5, "query": "q=Liepa", "active": False},
        {
            "value": "submitted",
            "label": "Submitted",
            "count": 2,
            "query": "q=Liepa&status=submitted",
            "active": True,
        },
    ]


def test_page_holds_the_shared_page_size_when_the_list_is_long(olaine, olaine_coordinator):
    for number in range(PAGE_SIZE + 1):
        _application(olaine, reference=f"T2026-{number + 100:05d}")

    listing = list_page(Application.objects.order_by("pk"), QueryDict("q=x&page=2"))

    assert PAGE_SIZE == 25
    assert listing["page"].number == 2
    assert len(listing["page"].object_list) == 1
    assert listing["query"] == "q=x"


@pytest.mark.parametrize("filterset_class", [ApplicationFilter, AgreementFilter, SessionFilter])
def test_every_staff_list_is_built_on_the_base_when_defined(filterset_class):
    assert issubclass(filterset_class, StaffListFilter)
    assert {"q", "unit"} <= set(filterset_class.base_filters)
    assert filterset_class.tab in filterset_class.base_filters


@pytest.mark.parametrize("url", ["volunteers:inbox", "agreements:list", "trainings:sessions"])
def test_another_institutions_unit_is_ignored_when_a_staff_list_is_filtered_by_it(
    client, olaine, jelgava, vpd_department, ievp_central, url
):
    client.force_login(ievp_central)

    response = client.get(reverse(url), {"unit": vpd_department.slug})

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert response.context["filtered"] is True
    # The error is shown by the field and named by it for screen readers.
    assert 'aria-describedby="id_unit_error"' in response.text
    assert 'id="id_unit_error"' in response.text
