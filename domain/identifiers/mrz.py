"""ICAO 9303 machine-readable zones: TD1 (ID cards, 3×30), TD2 (2×36), TD3 (passports, 2×44).

A failed check digit never raises: it is listed in :attr:`MrzResult.failed_checks` (by field
name) so the app can send the document to manual review and say which field failed. Only
text that is not an MRZ at all raises :class:`~domain.errors.ValidationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import ValidationError

FIELD = "mrz"
FORMATS = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}
LABELS = {
    "document_number": "document number",
    "birth_date": "date of birth",
    "expiry_date": "expiry date",
    "optional_data": "personal number",
    "composite": "whole line",
}
_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def check_digit(value: str) -> int:
    """ICAO 9303 check digit: weights 7, 3, 1; digits as themselves, A–Z as 10–35, < as 0."""
    total = 0
    for index, char in enumerate(value):
        if char.isdigit():
            n = int(char)
        elif "A" <= char <= "Z":
            n = ord(char) - ord("A") + 10
        elif char == "<":
            n = 0
        else:
            raise ValueError(f"{char!r} cannot appear in an MRZ")
        total += n * (7, 3, 1)[index % 3]
    return total % 10


@dataclass(frozen=True)
class MrzResult:
    format: str
    document_type: str
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date | None
    sex: str
    expiry_date: date | None
    optional_data: str
    failed_checks: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return (
            not self.failed_checks and self.birth_date is not None and self.expiry_date is not None
        )


def describe_failures(result: MrzResult) -> str:
    if not result.failed_checks:
        return "All check digits are correct."
    names = ", ".join(LABELS.get(name, name) for name in result.failed_checks)
    return f"Check digit failed for: {names}. Check the document by hand."


def _lines(text: str) -> list[str]:
    lines = [line.strip().upper().replace(" ", "") for line in text.splitlines()]
    lines = [line for line in lines if line]
    shape = (len(lines), len(lines[0]) if lines else 0)
    if shape not in FORMATS or any(len(line) != shape[1] for line in lines):
        found = ", ".join(str(len(line)) for line in lines) or "nothing"
        raise ValidationError(
            f"This is not a machine-readable zone: expected 3 lines of 30, 2 of 36 or 2 of 44 "
            f"characters, found line lengths {found}.",
            field=FIELD,
        )
    bad = {ch for line in lines for ch in line} - _ALLOWED
    if bad:
        raise ValidationError(
            f"The MRZ contains characters it cannot have: {''.join(sorted(bad))}", field=FIELD
        )
    return lines


def _verify(value: str, digit: str, name: str, failed: list[str]) -> None:
    if not digit.isdigit() or check_digit(value) != int(digit):
        failed.append(name)


def _date(text: str, *, birth: bool, today: date) -> date | None:
    if not text.isdigit():
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    year = 2000 + yy
    if birth and year > today.year:
        year -= 100
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _names(text: str) -> tuple[str, str]:
    surname, _, given = text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _clean(text: str) -> str:
    return text.replace("<", " ").strip()


def parse_mrz(text: str, *, today: date | None = None) -> MrzResult:
    today = today or date.today()
    lines = _lines(text)
    kind = FORMATS[(len(lines), len(lines[0]))]
    failed: list[str] = []
    if kind == "TD1":
        l1, l2, l3 = lines
        number_field, optional = l1[5:14], l1[15:30]
        if l1[14] == "<" and optional.strip("<"):
            # Long document number (ICAO 9303-5, 4.2.2): it continues in the optional data,
            # and its check digit is the last character before the filler.
            tail = optional.split("<", 1)[0]
            number, digit, optional = number_field + tail[:-1], tail[-1:], optional[len(tail) :]
        else:
            number, digit = number_field, l1[14]
        _verify(number, digit, "document_number", failed)
        birth, expiry = l2[0:6], l2[8:14]
        _verify(birth, l2[6], "birth_date", failed)
        _verify(expiry, l2[14], "expiry_date", failed)
        _verify(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite", failed)
        doc_type, country, sex, nationality = l1[0:2], l1[2:5], l2[7], l2[15:18]
        surname, given = _names(l3)
        optional_data = _clean(optional + l2[18:29])
    else:
        l1, l2 = lines
        number = l2[0:9]
        _verify(number, l2[9], "document_number", failed)
        birth, expiry = l2[13:19], l2[21:27]
        _verify(birth, l2[19], "birth_date", failed)
        _verify(expiry, l2[27], "expiry_date", failed)
        if kind == "TD3":
            personal = l2[28:42]
            if personal.strip("<") or l2[42] != "<":
                _verify(personal, l2[42], "optional_data", failed)
            _verify(l2[0:10] + l2[13:20] + l2[21:43], l2[43], "composite", failed)
            optional_data = _clean(personal)
        else:
            _verify(l2[0:10] + l2[13:20] + l2[21:35], l2[35], "composite", failed)
            optional_data = _clean(l2[28:35])
        doc_type, country, sex, nationality = l1[0:2], l1[2:5], l2[20], l2[10:13]
        surname, given = _names(l1[5:])
    birth_date = _date(birth, birth=True, today=today)
    expiry_date = _date(expiry, birth=False, today=today)
    if birth_date is None and "birth_date" not in failed:
        failed.append("birth_date")
    if expiry_date is None and "expiry_date" not in failed:
        failed.append("expiry_date")
    return MrzResult(
        format=kind,
        document_type=doc_type.replace("<", ""),
        issuing_country=country.replace("<", ""),
        surname=surname,
        given_names=given,
        document_number=number.replace("<", ""),
        nationality=nationality.replace("<", ""),
        birth_date=birth_date,
        sex="X" if sex == "<" else sex,
        expiry_date=expiry_date,
        optional_data=optional_data,
        failed_checks=tuple(failed),
    )
