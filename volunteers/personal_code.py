"""Latvian personal codes (personas kods).

* Old format ``DDMMYY-CNNNN``: the date of birth, a century digit (0 → 1800s, 1 → 1900s,
  2 → 2000s) and a check digit: (1101 − Σ dᵢ·wᵢ) mod 11 with weights 1 6 3 7 9 10 5 8 4 2.
* New format (since 1 July 2017) ``32NNNN-NNNNN``: carries no date of birth.
"""

import re
from datetime import date

_OLD = re.compile(r"^(\d{2})(\d{2})(\d{2})-?([012])(\d{4})$")
_NEW = re.compile(r"^(32\d{4})-?(\d{5})$")
_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class InvalidPersonalCode(ValueError):
    pass


def _digits(code: str) -> list[int]:
    return [int(c) for c in code if c.isdigit()]


def check_digit(first_ten: list[int]) -> int:
    return (1101 - sum(d * w for d, w in zip(first_ten, _WEIGHTS, strict=True))) % 11


def normalise(code: str) -> str:
    """Validate and return the code as ``NNNNNN-NNNNN``; raise InvalidPersonalCode."""
    compact = re.sub(r"\s", "", code or "")
    if _NEW.match(compact):
        digits = "".join(c for c in compact if c.isdigit())
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
