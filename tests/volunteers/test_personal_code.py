"""Latvian personal codes: the old format with its check digit, the new 32… format, masking."""

from datetime import date

import pytest

from volunteers.personal_code import InvalidPersonalCode, birth_date, mask, normalise

WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first_ten: str) -> str:
    """The documented algorithm, written out independently of the module: the check digit is
    (1101 − Σ dᵢ·wᵢ) mod 11. Serials whose result is 10 are never issued."""
    digits = [int(c) for c in first_ten]
    check = (1101 - sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))) % 11
    assert check < 10, f"{first_ten}: no valid check digit, pick another serial"
    return f"{first_ten[:6]}-{first_ten[6:]}{check}"


def valid_code(born: date, serial: int = 123) -> str:
    century = {18: 0, 19: 1, 20: 2}[born.year // 100]
    for candidate in range(serial, serial + 20):
        first_ten = f"{born:%d%m}{born.year % 100:02d}{century}{candidate:03d}"
        try:
            return with_check_digit(first_ten)
        except AssertionError:
            continue
    raise AssertionError("no serial with a valid check digit")


def test_with_check_digit_matches_a_known_code_when_computed_by_hand():
    # 120379-10000 style check: 1·1+6·2+3·0+7·3+9·7+10·9+5·1+8·0+4·0+2·0 = 192; (1101−192) mod 11 = 7
    assert with_check_digit("1203791000") == "120379-10007"


@pytest.mark.parametrize(
    "born",
    [date(1990, 1, 1), date(1979, 3, 12), date(2005, 12, 31), date(1899, 7, 4), date(2000, 2, 29)],
)
def test_normalise_accepts_old_code_when_check_digit_is_right(born):
    code = valid_code(born)
    assert normalise(code) == code
    assert birth_date(code) == born


@pytest.mark.parametrize("spelling", ["{a}{b}", "{a}-{b}", " {a}-{b} ", "{a} {b}"])
def test_normalise_returns_dashed_form_when_spacing_or_dash_differs(spelling):
    code = valid_code(date(1985, 6, 15))
    first, second = code.split("-")
    assert normalise(spelling.format(a=first, b=second)) == code


def test_normalise_rejects_old_code_when_check_digit_is_wrong():
    code = valid_code(date(1990, 1, 1))
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(InvalidPersonalCode) as error:
        normalise(wrong)
    assert error.value.args[0] == "checksum"


@pytest.mark.parametrize("impossible", ["310290-12345", "290201-12345", "001290-12345", "011390-12345"])
def test_normalise_rejects_old_code_when_date_is_impossible(impossible):
    with pytest.raises(InvalidPersonalCode) as error:
        normalise(impossible)
    assert error.value.args[0] == "date"
    assert birth_date(impossible) is None


@pytest.mark.parametrize("code", ["321234-56789", "32123456789", "329999-00000"])
def test_normalise_accepts_new_format_when_code_starts_with_32(code):
    digits = code.replace("-", "")
    assert normalise(code) == f"{digits[:6]}-{digits[6:]}"
    assert birth_date(code) is None


@pytest.mark.parametrize(
    "garbage",
    ["", "12345", "010190-32345", "010190-1234", "010190-123456", "abcdef-12345", "331234-56789"],
)
def test_normalise_rejects_code_when_format_is_wrong(garbage):
    with pytest.raises(InvalidPersonalCode) as error:
        normalise(garbage)
    assert error.value.args[0] == "format"


def test_birth_date_uses_century_digit_when_code_is_old():
    assert birth_date("010100-01234") == date(1800, 1, 1)
    assert birth_date("010100-11234") == date(1900, 1, 1)
    assert birth_date("010100-21234") == date(2000, 1, 1)


def test_mask_shows_only_first_two_digits_when_code_is_given():
    assert mask("120379-10007") == "12****-*****"
    assert mask("321234-56789") == "32****-*****"
    assert "0379" not in mask("120379-10007")


def test_mask_returns_empty_string_when_code_is_empty():
    assert mask("") == ""
