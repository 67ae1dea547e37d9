"""Isolation cases of the reports' dashboard and its table exports: every staff role gets
its own scope's figures (200), volunteers 404, anonymous the sign-in page. Olaine's unit
name is the secret: only those who may see Olaine find it on the page or in the per-unit
table; a filter naming Olaine's unit gives anybody else no figures (a form error) or 404
(an export)."""

from .registry import LOGIN, ROLES, SEES_OLAINE, Case

STAFF = {
    **dict.fromkeys(ROLES, 200),
    "anonymous": LOGIN,
    "applicant": 404,
    "stranger": 404,
}


def _olaine_name(w) -> str:
    return w.olaine.name


def _olaine_filter(w) -> dict:
    return {"unit": w.olaine.slug}


CASES = {
    "reports:dashboard": Case(expect=STAFF, secret=_olaine_name),
    "reports:export": Case(
        expect=STAFF, kwargs=lambda w: {"table": "vienibas", "fmt": "csv"}, secret=_olaine_name
    ),
}

EXTRA = {
    # Someone else's unit in the filter: the page comes back with the error, no figures.
    "reports:dashboard unit=olaine": (
        "reports:dashboard",
        Case(expect=STAFF, data=_olaine_filter, secret=_olaine_name),
    ),
    "reports:export unit=olaine": (
        "reports:export",
        Case(
            expect={
                **STAFF,
                **dict.fromkeys(("jelgava", "vpd", "vpd_central"), 404),
            },
            kwargs=lambda w: {"table": "vienibas", "fmt": "xlsx"},
            data=_olaine_filter,
            secret=_olaine_name,
            entitled=set(SEES_OLAINE),
        ),
    ),
}
