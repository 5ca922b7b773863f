"""Phone numbers (MSISDNs) the store may hand out: tiers, patterns, reservations.

The centre assigns each store blocks of numbers; the consultant picks one for a new line.
A number is reserved for the basket for :data:`RESERVATION` and given back when the
basket is cancelled or the reservation runs out; it is assigned when the sale completes.

"Golden" numbers are easy to remember and are sold with a fee from the catalog (a service
fee whose ``feeType`` is ``number_gold`` or ``number_silver``). :func:`tier_of` looks at
the subscriber part (the last seven digits):

- GOLD: the last four digits are one digit (…7777); or the last six digits run up or
  down by one (…123456, …654321); or one digit fills six of the last seven.
- SILVER: the last three digits are one digit (…777); or the last four run up or down
  (…1234, …4321); or the last four are a repeated pair (…1212) or a mirror (…1221).
- STANDARD: everything else.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections import Counter
from datetime import timedelta

from domain.errors import ValidationError

RESERVATION = timedelta(minutes=30)
MAX_PATTERN = 16


class NumberTier(enum.StrEnum):
    STANDARD = "standard"
    SILVER = "silver"
    GOLD = "gold"


FEE_TYPES = {NumberTier.GOLD: "number_gold", NumberTier.SILVER: "number_silver"}


def _run(digits: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {-1})


def tier_of(msisdn: str) -> NumberTier:
    digits = "".join(ch for ch in msisdn if ch.isdigit())
    last7 = digits[-7:]
    if len(last7) < 7:
        return NumberTier.STANDARD
    last4, last3 = last7[-4:], last7[-3:]
    if len(set(last4)) == 1 or _run(last7[-6:]) or Counter(last7).most_common(1)[0][1] >= 6:
        return NumberTier.GOLD
    if len(set(last3)) == 1 or _run(last4) or (last4[:2] == last4[2:]) or (last4 == last4[::-1]):
        return NumberTier.SILVER
    return NumberTier.STANDARD


def parse_pattern(text: str) -> str:
    """What the consultant typed to look for a number, as a SQL LIKE pattern.

    Digits, ``?`` (one digit) and ``*`` (any digits); spaces and a leading ``+`` are
    ignored. Without wildcards the digits may appear anywhere ("777" finds …1777…).
    """
    typed = text.strip().lstrip("+").replace(" ", "")
    if len(typed) > MAX_PATTERN:
        raise ValidationError("A number pattern has at most 16 characters.", field="pattern")
    if not re.fullmatch(r"[0-9?*]*", typed):
        raise ValidationError(
            "Use digits, ? for any one digit and * for any digits.", field="pattern"
        )
    like = typed.replace("*", "%").replace("?", "_")
    if "?" not in typed and "*" not in typed:
        like = f"%{like}%"
    return like
