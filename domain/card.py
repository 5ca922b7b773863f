"""What StoreDesk may keep of a card payment: never the full card number.

The terminal reads the card; StoreDesk stores only its answer. A primary account number
(PAN) is reduced to at most the issuer's BIN (first six digits) and the last four, the rest
masked — whatever the terminal sent. :func:`mask_pan` is the one door every PAN passes
through before it is stored, logged or printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationError

_DIGITS_OR_MASK = re.compile(r"^[0-9*xX#.\s-]+$")


def mask_pan(pan: str) -> str:
    """``"4111111111111111"`` or ``"411111******1111"`` → ``"411111******1111"``.

    Digits are kept only in the first six and the last four positions of a 12 to 19
    character number (masked positions may be ``*``, ``x``, ``#`` or ``.``). Anything
    that is not a card number (letters, a wrong length) is refused; an empty value stays
    empty (a terminal that does not tell).
    """
    text = pan.strip()
    if not text:
        return ""
    if not _DIGITS_OR_MASK.match(text):
        raise ValidationError("The card number from the terminal is not readable.", field="pan")
    chars = [c for c in text if c not in " -"]
    if not 12 <= len(chars) <= 19:
        raise ValidationError("The card number from the terminal has a wrong length.", field="pan")
    keep = {*range(6), *range(len(chars) - 4, len(chars))}
    return "".join(c if i in keep and c.isdigit() else "*" for i, c in enumerate(chars))


@dataclass(frozen=True)
class CardSlip:
    """The card data printed on the receipt and kept with the payment (no full PAN)."""

    auth_code: str = ""
    masked_pan: str = ""
    brand: str = ""
    terminal_id: str = ""
    trace: str = ""
    receipt_no: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "masked_pan", mask_pan(self.masked_pan))
        for name, limit in (("auth_code", 12), ("brand", 32), ("terminal_id", 16),
                            ("trace", 12), ("receipt_no", 12)):  # fmt: skip
            value = str(getattr(self, name)).strip()
            if len(value) > limit or not value.isprintable():
                raise ValidationError(f"The terminal's {name.replace('_', ' ')} is not valid.")
            object.__setattr__(self, name, value)

    def as_dict(self) -> dict[str, str]:
        return {
            "auth_code": self.auth_code, "masked_pan": self.masked_pan, "brand": self.brand,
            "terminal_id": self.terminal_id, "trace": self.trace, "receipt_no": self.receipt_no,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> CardSlip:
        return cls(**{key: str(data.get(key, "")) for key in cls.__dataclass_fields__})
