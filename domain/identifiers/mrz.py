"""ICAO 9303 machine-readable zones: TD1 (ID cards, 3×30), TD2 (2×36), TD3 (passports, 2×44).

Contract of :func:`parse_mrz`:

- Input: the MRZ lines separated by line breaks; whitespace around lines and blank lines are
  ignored and letters are upper-cased. A single line of exactly 90, 72 or 88 characters is
  split into the TD1, TD2 or TD3 lines, because some keyboard-wedge readers drop line breaks.
- Text whose line count and lengths match no format, or that contains characters other than
  A–Z, 0–9 and ``<``, raises :class:`~domain.errors.ValidationError` with ``field="mrz"``.
- A failed check digit never raises: its field is named in :attr:`MrzResult.failed_checks`
  so the app can send the document to manual review and say which field failed. A date whose
  digits are not a real date is ``None`` and also named there.
- Two-digit years: a birth date gets the latest century that does not put it after ``today``;
  an expiry date is always 20yy.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from domain.errors import ValidationError
from domain.identifiers.luhn import shown

FIELD = "mrz"
FORMATS = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}
_SINGLE_LINE = {lines * width: (lines, width) for lines, width in FORMATS}
LABELS = {
    "document_number": "document number",
    "birth_date": "date of birth",
    "expiry_date": "expiry date",
    "optional_data": "personal number",
    "composite": "whole zone (final check digit)",
}
_VALUES = {char: value for value, char in enumerate(string.digits + string.ascii_uppercase)}
_VALUES["<"] = 0
_WEIGHTS = (7, 3, 1)


def check_digit(value: str) -> int:
    """ICAO 9303 check digit: weights 7, 3, 1 repeating; 0–9 as themselves, A–Z as 10–35, < as 0.

    Raises ValueError for any other character.
    """
    total = 0
    for index, char in enumerate(value):
        if char not in _VALUES:
            raise ValueError(f"{char!r} cannot appear in an MRZ")
        total += _VALUES[char] * _WEIGHTS[index % 3]
    return total % 10


@dataclass(frozen=True)
class MrzResult:
    """What the MRZ says, with ``<`` fillers removed, and which checks failed."""

    format: str  # "TD1", "TD2" or "TD3"
    document_type: str  # "P", "ID", "I", …
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date | None
    sex: str  # "M", "F" or "X"
    expiry_date: date | None
    optional_data: str  # TD3: the personal number; TD1: both optional fields, space-separated
    failed_checks: tuple[str, ...]  # names from LABELS, in the order of that table

    @property
    def valid(self) -> bool:
        """True if every check digit is right and both dates are real dates."""
        return not self.failed_checks and None not in (self.birth_date, self.expiry_date)


def describe_failures(result: MrzResult) -> str:
    """A sentence for the consultant, e.g. "Check digit failed for: document number"."""
    if not result.failed_checks:
        return "All check digits are correct."
    return "Check digit failed for: " + ", ".join(LABELS[name] for name in result.failed_checks)


def parse_mrz(text: str, *, today: date | None = None) -> MrzResult:
    """Parse an MRZ (see the module docstring); ``today`` defaults to the current date."""
    kind, lines = _split(text)
    checks: dict[str, bool] = {}
    if kind == "TD1":
        top, middle, name_field = lines
        number, number_digit, optional = _document_number(top[5:14], top[14], top[15:30])
        optional_parts = [optional, middle[18:29]]
        nationality, dates = middle[15:18], middle[0:15]
        composite, composite_digit = (
            top[5:30] + middle[0:7] + middle[8:15] + middle[18:29],
            middle[29],
        )
    else:
        top, bottom = lines
        name_field, nationality, dates = top[5:], bottom[10:13], bottom[13:28]
        if kind == "TD2":
            number, number_digit, optional = _document_number(bottom[0:9], bottom[9], bottom[28:35])
            optional_parts = [optional]
            composite, composite_digit = bottom[0:10] + bottom[13:20] + bottom[21:35], bottom[35]
        else:
            number, number_digit = bottom[0:9], bottom[9]
            personal, personal_digit = bottom[28:42], bottom[42]
            optional_parts = [personal]
            # ICAO 9303-4: an unused personal number may have "<" or 0 as its check digit.
            unused = not personal.strip("<") and personal_digit in "<0"
            checks["optional_data"] = unused or _digit_ok(personal, personal_digit)
            composite, composite_digit = bottom[0:10] + bottom[13:20] + bottom[21:43], bottom[43]
    checks["document_number"] = _digit_ok(number, number_digit)
    # dates = birth(6) + check digit + sex + expiry(6) + check digit, the same in all formats.
    birth_date = _date(dates[0:6], not_after=today or date.today())
    expiry_date = _date(dates[8:14], not_after=None)
    checks["birth_date"] = _digit_ok(dates[0:6], dates[6]) and birth_date is not None
    checks["expiry_date"] = _digit_ok(dates[8:14], dates[14]) and expiry_date is not None
    checks["composite"] = _digit_ok(composite, composite_digit)
    surname, _, given_names = name_field.partition("<<")
    return MrzResult(
        format=kind,
        document_type=lines[0][0:2].replace("<", ""),
        issuing_country=lines[0][2:5].replace("<", ""),
        surname=_words(surname),
        given_names=_words(given_names),
        document_number=number.replace("<", ""),
        nationality=nationality.replace("<", ""),
        birth_date=birth_date,
        sex="X" if dates[7] == "<" else dates[7],
        expiry_date=expiry_date,
        optional_data=" ".join(filter(None, map(_words, optional_parts))),
        failed_checks=tuple(name for name in LABELS if checks.get(name) is False),
    )


def _split(text: str) -> tuple[str, list[str]]:
    lines = [line.strip().upper() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1 and len(lines[0]) in _SINGLE_LINE:
        count, width = _SINGLE_LINE[len(lines[0])]
        lines = [lines[0][row * width : (row + 1) * width] for row in range(count)]
    widths = {len(line) for line in lines}
    kind = FORMATS.get((len(lines), widths.pop())) if len(widths) == 1 else None
    if kind is None:
        raise ValidationError(
            f"This is not a machine-readable zone: found {_shape(lines)}; expected 3 lines of "
            "30 characters (ID card), 2 lines of 36, or 2 lines of 44 (passport).",
            field=FIELD,
        )
    bad = sorted({char for line in lines for char in line if char not in _VALUES})
    if bad:
        raise ValidationError(
            "The MRZ can only contain A-Z, 0-9 and <, not " + ", ".join(map(shown, bad)) + ".",
            field=FIELD,
        )
    return kind, lines


def _shape(lines: list[str]) -> str:
    if not lines:
        return "no text"
    lengths = [str(len(line)) for line in lines]
    joined = ", ".join(lengths[:-1]) + " and " + lengths[-1] if len(lines) > 1 else lengths[0]
    return f"{len(lines)} line{'s' if len(lines) > 1 else ''} of {joined} characters"


def _document_number(field: str, digit: str, optional: str) -> tuple[str, str, str]:
    """(number, its check digit, optional data left over), following a long number.

    ICAO 9303-5 §4.2.2 (and -6 for TD2): a number longer than 9 characters shows its first 9
    in the number field, "<" in the check digit position, and continues at the start of the
    optional data; the check digit over the whole number is the last character before the
    next "<".
    """
    if digit != "<" or optional[:1] in ("", "<"):
        return field, digit, optional
    tail, _, rest = optional.partition("<")
    return field + tail[:-1], tail[-1], rest


def _digit_ok(value: str, digit: str) -> bool:
    return digit.isdigit() and check_digit(value) == int(digit)


def _date(yymmdd: str, *, not_after: date | None) -> date | None:
    if not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    for century in (2000, 1900) if not_after else (2000,):
        try:
            candidate = date(century + yy, mm, dd)
        except ValueError:
            continue
        if not_after is None or candidate <= not_after:
            return candidate
    return None


def _words(field: str) -> str:
    return " ".join(word for word in field.split("<") if word)
