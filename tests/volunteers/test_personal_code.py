"""Latvian personal codes: the old format with its check digit, the new 32… format, masking."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from volunteers import services
from volunteers.forms.public import PERSONAL_CODE_ERRORS, ApplicationForm
from volunteers.models import ProfileChangeRequest
from volunteers.personal_code import InvalidPersonalCode, birth_date, mask, normalise

from ..factories import VolunteerFactory

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


# --- Digits of other scripts: Python's \d and str.isdigit match them, the checksum works on
# them, and a code stored as typed escapes duplicate detection. They are refused.

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
OLD_CODE = valid_code(date(1990, 1, 1))
NEW_CODE = "322473-86167"
FOREIGN_SPELLINGS = [
    "32٢٤٧٣-٨٦١٦٧",  # as reported: Arabic-Indic digits after an ASCII "32"
    NEW_CODE.translate(ARABIC_INDIC),
    NEW_CODE.translate(FULL_WIDTH),
    NEW_CODE.replace("-", "").translate(EXTENDED_ARABIC_INDIC),
    OLD_CODE.translate(ARABIC_INDIC),
    OLD_CODE.translate(FULL_WIDTH),
    OLD_CODE.translate(DEVANAGARI),
    OLD_CODE[:-1] + OLD_CODE[-1].translate(FULL_WIDTH),  # a single foreign digit
    OLD_CODE[:2] + "²" + OLD_CODE[3:],  # a superscript: a digit to str.isdigit, not to int()
]


def test_ascii_spellings_are_valid_when_the_foreign_ones_are_checked():
    """The codes above are valid in ASCII: the refusals below are about the digits only."""
    assert normalise(OLD_CODE) == OLD_CODE
    assert normalise(NEW_CODE) == NEW_CODE


@pytest.mark.parametrize("code", FOREIGN_SPELLINGS)
def test_normalise_rejects_code_when_digits_are_not_ascii(code):
    with pytest.raises(InvalidPersonalCode) as error:
        normalise(code)
    assert error.value.args[0] == "digits"
    assert birth_date(code) is None


@pytest.mark.parametrize("code", FOREIGN_SPELLINGS[:7])
def test_application_form_refuses_personal_code_when_digits_are_not_ascii(db, code):
    form = ApplicationForm(data={"personal_code": code})
    assert not form.is_valid()
    assert form.errors["personal_code"] == [str(PERSONAL_CODE_ERRORS["digits"])]
    assert form.has_error("personal_code", code="digits")


@pytest.mark.parametrize("code", [FOREIGN_SPELLINGS[0], OLD_CODE.translate(FULL_WIDTH)])
def test_change_request_refuses_personal_code_when_digits_are_not_ascii(db, code):
    volunteer = VolunteerFactory(personal_code=valid_code(date(1985, 6, 15)))
    with pytest.raises(ValidationError) as error:
        services.change_request_create(volunteer=volunteer, field="personal_code", new_value=code)
    assert "new_value" in error.value.message_dict
    assert not ProfileChangeRequest.objects.exists()
