"""The frame of every printed document (templates/pdf/base.html) speaks the document's
language: the page counter is one translated sentence turned into CSS counters."""

from django.utils import translation

from documents.rendering import page_counter_css


def test_page_counter_is_one_sentence_with_the_counters_when_in_latvian_or_english():
    with translation.override("lv"):
        assert page_counter_css() == '"Lapa " counter(page) " no " counter(pages)'
    with translation.override("en"):
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_page_counter_escapes_what_css_would_read_when_a_translation_holds_it(monkeypatch):
    from documents import rendering

    monkeypatch.setattr(rendering, "gettext", lambda text: 'Lpp. "%(page)s"\\%(pages)s</style>')
    assert page_counter_css() == '"Lpp. \\"" counter(page) "\\"\\\\" counter(pages) "\\3c /style>"'
