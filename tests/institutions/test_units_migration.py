import pytest

from institutions.models import Institution, Unit


@pytest.mark.django_db
def test_real_units_are_loaded_when_migrated():
    assert set(Institution.objects.values_list("code", flat=True)) == {"VPD", "IEVP", "TM"}
    prisons = set(
        Unit.objects.filter(institution__code="IEVP", kind=Unit.Kind.PRISON).values_list("name", flat=True)
    )
    for name in [
        "Rīgas Centrālcietums",
        "Iļģuciema cietums",
        "Olaines cietums",
        "Jelgavas cietums",
        "Daugavgrīvas cietums",
        "Liepājas cietums",
        "Valmieras cietums",
        "Jēkabpils cietums",
        "Cēsu Audzināšanas iestāde nepilngadīgajiem",
    ]:
        assert name in prisons
    griva = Unit.objects.get(slug="daugavgrivas-cietums-griva")
    assert griva.parent.slug == "daugavgrivas-cietums"
    assert Unit.objects.get(slug="vpd-jelgavas-1-nodala").parent.name == "Zemgales reģions"
    brasa = Unit.objects.get(slug="brasas-cietums")
    assert not brasa.is_valid_today
    assert Unit.objects.filter(institution__code="IEVP", kind=Unit.Kind.CENTRAL_OFFICE).count() == 1
