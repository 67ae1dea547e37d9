"""Latvian personal codes (personas kods).

* Old format ``DDMMYY-CNNNN``: the date of birth, a century digit (0 → 1800s, 1 → 1900s,
  2 → 2000s) and a check digit: (1101 − Σ dᵢ·wᵢ) mod 11 with weights 1 6 3 7 9 10 5 8 4 2.
* New format (since 1 July 2017) ``32NNNN-NNNNN``: carries no date of birth.

Only the ASCII digits 0–9 are accepted. Python's ``\\d`` and ``str.isdigit`` also match other
scripts' digits (Arabic-Indic ``٢``, full-width ``２``, Devanagari ``२`` …): a code typed in
them would pass the checksum and be stored as typed, so the same person could register twice
under two spellings of one code. Such input is refused (reason ``"digits"``) rather than
silently translated: the code is printed with Latin digits on every Latvian document, the
person sees and can correct exactly what is wrong, and what is stored is always what was
shown back to them.
"""

import re
from datetime import date

_OLD = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{2})-?([012])([0-9]{4})$")
_NEW = re.compile(r"^(32[0-9]{4})-?([0-9]{5})$")
_ASCII_DIGIT = frozenset("0123456789")
_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class InvalidPersonalCode(ValueError):
    pass


def _digits(code: str) -> list[int]:
    return [int(c) for c in code if c in _ASCII_DIGIT]


def _has_foreign_digits(code: str) -> bool:
    """Digits of another script (or superscripts, circled digits …): not 0–9, yet a digit."""
    return any(c not in _ASCII_DIGIT and (c.isdigit() or c.isnumeric()) for c in code)


def check_digit(first_ten: list[int]) -> int:
    return (1101 - sum(d * w for d, w in zip(first_ten, _WEIGHTS, strict=True))) % 11


def normalise(code: str) -> str:
    """Validate and return the code as ``NNNNNN-NNNNN``; raise InvalidPersonalCode with the
    reason ``"digits"``, ``"format"``, ``"date"`` or ``"checksum"``."""
    compact = re.sub(r"\s", "", code or "")
    if _has_foreign_digits(compact):
        raise InvalidPersonalCode("digits")
    if _NEW.match(compact):
        digits = "".join(c for c in compact if c in _ASCII_DIGIT)
        return f"{digits[:6]}-{digits[6:]}"
    match = _OLD.match(compact)
    if not match:
        raise InvalidPersonalCode("format")
    if birth_date(compact) is None:
        raise InvalidPersonalCode("date")
    digits = _digits(compact)
    if check_digit(digits[:10]) != digits[10]:
        raise InvalidPersonalCode("checksum")
    joined = "".join(map(str, digits))
    return f"{joined[:6]}-{joined[6:]}"


def birth_date(code: str) -> date | None:
    """The date of birth an old-format code carries; None for new-format or broken codes."""
    match = _OLD.match(re.sub(r"\s", "", code or ""))
    if not match:
        return None
    day, month, year, century = (int(match.group(i)) for i in range(1, 5))
    try:
        return date(1800 + 100 * century + year, month, day)
    except ValueError:
        return None


def mask(code: str) -> str:
    """Show only the first two digits: ``12****-*****``."""
    if not code:
        return ""
    return code[:2] + "".join("*" if c.isdigit() else c for c in code[2:])
