"""Text folding for search: Latvian (and any Latin) diacritics removed and case folded, so
that "Berzins" finds "Bērziņš" and "berzin" finds "BĒRZIŅŠ" on SQLite and PostgreSQL alike.

The stored side (``volunteers.Application.search_text``) and the typed side go through the
same ``fold``: the database then compares plain lower-case text (``LIKE '%berzin%'``), which
a trigram index serves on PostgreSQL and which needs no database function on SQLite."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` without diacritics (NFKD, combining marks dropped: ā č ē ģ ī ķ ļ ņ š ū ž and
    the rest) and case-folded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
