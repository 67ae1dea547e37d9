"""Calendar arithmetic shared by every app: local dates and years, whole years added safely.

Everything a person sees — today's date, the year in a reference or an agreement number, an
end date a year on — is in the project's time zone (``TIME_ZONE``, Europe/Riga), never in UTC:
between midnight and 02:00/03:00 in Riga, UTC is still on the previous day (and on
1 January, in the previous year).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def local_today() -> date:
    """Today in the project's time zone."""
    return timezone.localdate()


def local_date(moment: datetime | None = None) -> date:
    """The local calendar day of an aware ``moment`` (now if None)."""
    return timezone.localdate(moment)


def local_year(moment: datetime | None = None) -> int:
    """The local calendar year of an aware ``moment`` (now if None)."""
    return local_date(moment).year


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (or earlier with a negative number); 29 February
    becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    """Completed years on ``day`` of someone born on ``born`` (a 29 February birthday is
    reached on 1 March in common years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
