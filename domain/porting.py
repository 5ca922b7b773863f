"""Number port-in: bringing the customer's number from another operator.

The consultant records the donor operator, the number, the porting code the donor gave
the customer and the day the customer wants the number moved. Porting happens on working
days (Monday to Friday), at the earliest the next working day and at most
:data:`MAX_DAYS_AHEAD` days ahead. The request itself is finished by the second line;
the store only takes it in (see :mod:`app.services.port_in`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import ValidationError

DONOR_OPERATORS = ("Telekom", "Vodafone", "O2 Telefónica", "1&1", "Congstar", "Aldi Talk")
MAX_DAYS_AHEAD = 120
PORTING_CODE = re.compile(r"[A-Z0-9]{4,16}")


@dataclass(frozen=True)
class PortInDetails:
    donor: str
    msisdn: str  # E.164, normalised by the caller
    porting_code: str
    requested: date
    temporary: bool  # the line starts on a temporary number of ours until the port

    def to_json(self) -> dict[str, object]:
        return {
            "donor": self.donor,
            "msisdn": self.msisdn,
            "porting_code": self.porting_code,
            "requested": self.requested.isoformat(),
            "temporary": self.temporary,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PortInDetails:
        return cls(
            donor=str(data["donor"]),
            msisdn=str(data["msisdn"]),
            porting_code=str(data["porting_code"]),
            requested=date.fromisoformat(str(data["requested"])),
            temporary=bool(data["temporary"]),
        )


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def validate_port_in(
    *, donor: str, msisdn: str, porting_code: str, requested: str, temporary: bool, today: date
) -> PortInDetails:
    """Check what the consultant typed; ``msisdn`` is already normalised to E.164."""
    donor = " ".join(donor.split())
    if not donor:
        raise ValidationError("Choose the operator the number comes from.", field="donor")
    if len(donor) > 64:
        raise ValidationError("An operator name has at most 64 characters.", field="donor")
    code = porting_code.strip().upper().replace(" ", "").replace("-", "")
    if not PORTING_CODE.fullmatch(code):
        raise ValidationError(
            "The porting code is 4 to 16 letters and digits, as the donor operator gave it.",
            field="porting_code",
        )
    try:
        day = date.fromisoformat(requested.strip())
    except ValueError:
        raise ValidationError("Give the porting date as YYYY-MM-DD.", field="requested") from None
    earliest = next_working_day(today)
    if day < earliest:
        raise ValidationError(
            f"The earliest porting date is {earliest.isoformat()} (the next working day).",
            field="requested",
        )
    if day.weekday() >= 5:
        raise ValidationError("Numbers are ported on working days only.", field="requested")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            f"A port can be requested at most {MAX_DAYS_AHEAD} days ahead.", field="requested"
        )
    return PortInDetails(donor, msisdn, code, day, temporary)
