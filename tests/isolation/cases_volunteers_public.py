"""Isolation cases of the volunteers app's public views (see registry.py for roles and shapes)."""

from .registry import LOGIN, PUBLIC_GET, UNIT_READ, Case, _all  # noqa: F401

CASES: dict[str, Case] = {
    "volunteers:apply": Case(
        expect=PUBLIC_GET,
        # A signed-in person sees their own profile in the form, never someone else's.
        secret=lambda w: w.olaine_application.volunteer.phone,
        entitled={"applicant"},
        notes="public form; signed-in people apply with their own account and profile",
    ),
    "volunteers:apply_done": Case(
        expect=_all(404),
        kwargs=lambda w: {"reference": w.olaine_application.reference},
        # The receipt would show the applicant's email; the reference itself is in the URL (and
        # so in the 404 page's language switcher), so it cannot serve as the secret.
        secret=lambda w: w.applicant.email,
        entitled={"applicant"},
        notes="the receipt shows only references this browser's session submitted: 404 for everyone else",
    ),
    "volunteers:privacy": Case(expect=PUBLIC_GET, notes="public privacy notice"),
}


EXTRA: dict[str, tuple[str, Case]] = {
    # An incomplete form comes back to whoever sent it, with their own details only.
    "volunteers:apply POST": (
        "volunteers:apply",
        Case(
            method="post",
            expect=PUBLIC_GET,
            data=lambda w: {"first_name": "Nepabeigts"},
            secret=lambda w: w.olaine_application.volunteer.phone,
            entitled={"applicant"},
            notes="nothing is created from an incomplete form",
        ),
    ),
}
