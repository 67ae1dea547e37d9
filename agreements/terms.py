"""What an institution calls its volunteer work agreement, everywhere it is shown.

The published texts say **vienošanās** at VPD ("vienošanās par brīvprātīgā darba veikšanu",
feminine, the same in every number and case but the accusative "vienošanos") and
**līgums** at IeVP ("brīvprātīgā darba līgums", masculine: līguma, līgumu, līgumi).
``Institution.agreement_term`` says which; English always says "agreement".

Every text that shows the word is translated under a message context per term:

* in templates, ``{% translate "Agreements" context terms.context %}`` (``terms`` an
  :class:`AgreementTerms` — ``agreement.terms``, or ``terms`` given by the view), or
  ``collection_terms.context`` for what may cover both institutions (the menu, the list,
  the volunteer's own agreements): its third context says "vienošanās un līgumi";
* in Python, ``terms.gettext(...)`` and ``terms.status_label(...)`` (messages listed in
  ``MESSAGES``, or ``COLLECTION_MESSAGES`` for those that may cover both institutions).

``makemessages`` cannot see a context given by a variable, so the contextual entries are
kept in ``agreements/term_catalogue.py``, written from the templates by
``manage.py agreement_terms`` (a test fails while it is out of date).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import pgettext, pgettext_lazy

VIENOSANAS = "vienosanas"
LIGUMS = "ligums"
BOTH = "both"  # a list or menu across institutions with different words

CONTEXTS = {VIENOSANAS: "agreement:vienosanas", LIGUMS: "agreement:ligums", BOTH: "agreement:both"}

# Template variables whose ``.context`` may be BOTH (the rest are one institution's).
COLLECTION_VARIABLE = "collection_terms"

# The heading of the PDF (always Latvian: the agreement is a legal text in the state
# language), as the institutions' published texts name the document.
DOCUMENT_TITLES = {
    VIENOSANAS: "Vienošanās par brīvprātīgā darba veikšanu",
    LIGUMS: "Brīvprātīgā darba līgums",
}

# Python messages that show the word (views, forms, services' refusals, history and audit
# labels, the volunteer's next step), translated in each institution's context.
MESSAGES = [
    "Agreement %(number)s was generated; its PDF is being prepared.",
    "The draft agreement was saved. Check it, then generate the PDF.",
    "The signed scan was not saved. See the form below.",
    "A party asked for a written agreement",
    "Signed scan",
    "Who ends the agreement",
    "Last day of the agreement",
    "The agreement cannot end before it starts.",
    "The institution has no agreement template yet.",
    "This agreement has already been generated.",
    "Only a generated agreement can be sent.",
    "Upload the signed agreement as PDF, JPEG or PNG.",
    "Only a generated or sent agreement can be signed.",
    "The agreement cannot be signed before it was generated.",
    "Agreement %(number)s in force.",
    "Only an agreement in force can be terminated.",
    "The agreement cannot end before the notice was given.",
    "The agreement was terminated on %(date)s.",
    "The volunteer's data was erased; the agreement ended on %(date)s.",
    "Agreement %(number)s is in force and its notice period of %(days)d days runs from "
    "the request until %(date)s. Confirm the erasure from that day, or first end the "
    "agreement sooner if both parties agree.",
    "Volunteer work agreement",
    "Terminated early",
    "A role's own text is used instead of the institution's for agreements of that role.",
    "Version %(version)d of “%(title)s” is now used for new agreements.",
    "agreement number",
    "Agreement template version created",
    "Agreement files destroyed at the end of the retention period",
    "An agreement with another institution is in force and its notice period runs from the "
    "request until %(date)s. Confirm the erasure from that day.",
    "Only volunteers with an agreement in force at this unit on that date.",
    "The volunteer has no agreement with this unit.",
    "You can register for trainings of an institution you have applied to or volunteer with.",
    "Agreement drafted",
    "Agreement changed",
    "Agreement generated",
    "Agreement sent",
    "Signed agreement uploaded",
    "Agreement in force",
    "Agreement ended",
    "Agreement downloaded",
    "Your volunteer agreement is being prepared. You will be invited to sign it.",
    "%(names)s has no volunteer agreement in force at %(unit)s on %(date)s.",
    "The volunteer agreement of %(name)s ended on %(date)s.",
    "Agreement %(number)s is marked as sent.",
    "The signed agreement %(number)s was uploaded; it is in force.",
    "The signed agreement %(number)s was uploaded; it comes into force on %(start)s.",
    "Agreement %(number)s was terminated.",
    "The agreement was not terminated. See the form below.",
    "Draft agreement",
    # The reports' dashboard (one institution's column)
    "Agreements signed",
    "Agreements ending soon",
    "with an agreement in force today",
]

# Python messages that may also cover both institutions (the reports' tables of VPD and IeVP
# side by side): translated in all three contexts; for BOTH ``gettext`` says "vienošanās un
# līgumi" in these.
COLLECTION_MESSAGES = [
    "Agreements in force",
    "Agreements signed in %(year)s",
]

# The status labels agree with the word: "agreement status" is the feminine one
# (vienošanās, and a list of both), "agreement status:ligums" the masculine one.
_LIGUMS_STATUS = {
    "draft": pgettext_lazy("agreement status:ligums", "Draft"),
    "generated": pgettext_lazy("agreement status:ligums", "Generated"),
    "sent": pgettext_lazy("agreement status:ligums", "Sent"),
    "signed": pgettext_lazy("agreement status:ligums", "Signed"),
    "active": pgettext_lazy("agreement status:ligums", "In force"),
    "ended": pgettext_lazy("agreement status:ligums", "Ended"),
}


class AgreementTerms:
    """One institution's word (or BOTH), for templates and Python code."""

    def __init__(self, term: str):
        if term not in CONTEXTS:
            raise ValueError(f"Unknown agreement term {term!r}")
        self.term = term

    def __eq__(self, other) -> bool:
        return isinstance(other, AgreementTerms) and other.term == self.term

    def __hash__(self) -> int:
        return hash(self.term)

    def __repr__(self) -> str:
        return f"AgreementTerms({self.term!r})"

    @property
    def context(self) -> str:
        return CONTEXTS[self.term]

    @property
    def is_ligums(self) -> bool:
        return self.term == LIGUMS

    @property
    def document_title(self) -> str:
        return DOCUMENT_TITLES.get(self.term, DOCUMENT_TITLES[VIENOSANAS])

    def gettext(self, message: str) -> str:
        """``message`` (one of ``MESSAGES``) in this word; for a reader of both institutions
        (a superuser) these are worded as at VPD — the lists and menus have their own texts,
        as have ``COLLECTION_MESSAGES``."""
        if self.term == BOTH and message not in COLLECTION_MESSAGES:
            return pgettext(CONTEXTS[VIENOSANAS], message)
        return pgettext(self.context, message)

    def status_label(self, status: str) -> str:
        from .models import Status

        if self.term == LIGUMS:
            return str(_LIGUMS_STATUS[status])
        return str(Status(status).label)


def for_institution(institution) -> AgreementTerms:
    return AgreementTerms(getattr(institution, "agreement_term", None) or VIENOSANAS)


def for_institution_id(institution_id: int | None) -> AgreementTerms:
    """The word of an institution known by its id (cached with the units' words)."""
    return AgreementTerms(_institution_terms().get(institution_id, VIENOSANAS))


class Termed:
    """A message (one of ``MESSAGES``) shown in the word of the institution of the
    object it is about: ``Termed("Agreement sent")(institution_id)``. Audit labels use it."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, institution_id: int | None) -> str:
        return for_institution_id(institution_id).gettext(self.message)


def for_terms(terms: Iterable[str]) -> AgreementTerms:
    """The word of a set of institutions: theirs if they share it, else BOTH."""
    distinct = set(terms)
    if len(distinct) == 1:
        return AgreementTerms(distinct.pop())
    return AgreementTerms(BOTH if distinct else VIENOSANAS)


_INSTITUTION_TERMS_KEY = "agreements:institution-terms"
_VOLUNTEER_TERMS_KEY = "agreements:volunteer-terms:{}"
_VOLUNTEER_TERMS_SECONDS = 300


def _institution_terms() -> dict[int, str]:
    from django.core.cache import cache

    from institutions.models import Institution

    mapping = cache.get(_INSTITUTION_TERMS_KEY)
    if mapping is None:
        mapping = dict(Institution.objects.values_list("pk", "agreement_term"))
        cache.set(_INSTITUTION_TERMS_KEY, mapping, 3600)  # also cleared when an institution is saved
    return mapping


def forget(sender=None, instance=None, **kwargs) -> None:
    """Signal receiver: an institution changed."""
    from django.core.cache import cache
    from django.db import transaction

    keys = [_INSTITUTION_TERMS_KEY]
    cache.delete_many(keys)
    # Again once the change is committed: a request that read the old word meanwhile may
    # have cached it.
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_volunteer(user_id: int) -> None:
    """A volunteer applied to another institution: their word may change at once."""
    from django.core.cache import cache

    cache.delete(_VOLUNTEER_TERMS_KEY.format(user_id))


def for_user(user) -> AgreementTerms:
    """The word of what a person sees: a coordinator's institutions, a volunteer's
    applications; BOTH for a central or ministry user of both institutions."""
    from django.core.cache import cache

    from institutions import permissions

    if user is None or not user.is_authenticated:
        return AgreementTerms(VIENOSANAS)
    roles = permissions.roles_for(user)
    if roles.is_staff_role:
        return for_terms(roles.agreement_terms)
    key = _VOLUNTEER_TERMS_KEY.format(user.pk)
    words = cache.get(key)
    if words is None:
        volunteer = getattr(user, "volunteer", None)
        words = (
            sorted(set(volunteer.applications.values_list("institution__agreement_term", flat=True)))
            if volunteer is not None
            else []
        )
        cache.set(key, words, _VOLUNTEER_TERMS_SECONDS)
    return for_terms(words)


# --- The catalogue of contextual template texts (see the module's docstring)

CATALOGUE_PATH = Path(__file__).with_name("term_catalogue.py")


def _contexts_for(expression: str) -> list[str]:
    terms = [VIENOSANAS, LIGUMS]
    if expression.split(".")[0] == COLLECTION_VARIABLE:
        terms.append(BOTH)
    return [CONTEXTS[term] for term in terms]


def template_messages() -> list[tuple[str, str, str | None]]:
    """(context, singular, plural) of every translate tag with a term context."""
    from django.conf import settings
    from django.template import engines
    from django.templatetags.i18n import BlockTranslateNode, TranslateNode

    engine = engines["django"].engine
    found: list[tuple[str, str, str | None]] = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        root = Path(directory)
        for path in sorted(root.rglob("*")):
            if path.suffix not in {".html", ".txt"}:
                continue
            template = engine.get_template(str(path.relative_to(root)))
            for node in template.nodelist.get_nodes_by_type(TranslateNode):
                expression = node.message_context.token if node.message_context else ""
                if not expression.endswith("terms.context"):
                    continue
                message = str(node.filter_expression.var.literal)
                found += [(context, message, None) for context in _contexts_for(expression)]
            for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
                expression = node.message_context.token if node.message_context else ""
                if not expression.endswith("terms.context"):
                    continue
                singular, _vars = node.render_token_list(node.singular)
                plural = node.render_token_list(node.plural)[0] if node.plural else None
                found += [(context, singular, plural) for context in _contexts_for(expression)]
    for message in MESSAGES:
        found += [(CONTEXTS[term], message, None) for term in (VIENOSANAS, LIGUMS)]
    for message in COLLECTION_MESSAGES:
        found += [(CONTEXTS[term], message, None) for term in (VIENOSANAS, LIGUMS, BOTH)]
    return list(dict.fromkeys(found))


def catalogue_source() -> str:
    lines = [
        '"""Generated by ``manage.py agreement_terms`` from the templates: the texts shown in',
        "each institution's word for the agreement (see ``agreements/terms.py``). Never",
        'imported or called; it is here for makemessages. Do not edit."""',
        "",
        "from django.utils.translation import npgettext, pgettext",
        "",
        "",
        "def _catalogue():  # pragma: no cover",
    ]
    for context, singular, plural in template_messages():
        if plural is None:
            lines.append(f"    pgettext({context!r}, {singular!r})")
        else:
            lines.append(f"    npgettext({context!r}, {singular!r}, {plural!r}, 1)")
    return "\n".join(lines) + "\n"
