"""The shared date helpers: local days and years, whole years added across 29 February."""

from datetime import UTC, date, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest

from core.dates import add_years, age_on, local_date, local_today, local_year

RIGA = ZoneInfo("Europe/Riga")
# 00:30 on New Year's Day in Riga is still 22:30 on 31 December in UTC.
NEW_YEAR_RIGA = datetime(2027, 1, 1, 0, 30, tzinfo=RIGA)
LEAP_DAY_RIGA = datetime(2028, 2, 29, 0, 30, tzinfo=RIGA)


def pinned(moment: datetime):
    """``timezone.now()`` at ``moment``, returned in UTC as Django does."""
    return patch("django.utils.timezone.now", return_value=moment.astimezone(UTC))


def test_local_year_is_the_riga_year_when_utc_is_still_in_the_old_year():
    assert NEW_YEAR_RIGA.astimezone(UTC).year == 2026
    assert local_year(NEW_YEAR_RIGA.astimezone(UTC)) == 2027
    with pinned(NEW_YEAR_RIGA):
        assert local_year() == 2027
        assert local_today() == date(2027, 1, 1)
        assert local_date() == date(2027, 1, 1)


def test_local_today_is_29_february_when_pinned_just_after_midnight_in_riga():
    with pinned(LEAP_DAY_RIGA):
        assert local_today() == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
        (date(2028, 2, 29), -1, date(2027, 2, 28)),
        (date(2028, 2, 28), 1, date(2029, 2, 28)),
        (date(2027, 3, 1), 1, date(2028, 3, 1)),
        (date(2027, 1, 1), 0, date(2027, 1, 1)),
    ],
)
def test_add_years_keeps_the_day_or_falls_back_to_28_february_when_there_is_none(day, years, expected):
    assert add_years(day, years) == expected


def test_age_on_counts_a_leap_day_birthday_from_1_march_when_the_year_is_common():
    born = date(2012, 2, 29)
    assert age_on(born, date(2028, 2, 29)) == 16
    assert age_on(born, date(2030, 2, 28)) == 17
    assert age_on(born, date(2030, 3, 1)) == 18
