"""The few facts of a customer a sale needs, read once per transaction as a plain record.

Pricing needs the birth date (age rules), completion the customer number (search row)
and the name (a first billing account). One prepared statement reads them; the record is
kept in the session for the rest of the transaction, so pricing and completion share it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import prepared

_HELD = "customer_briefs"
_BRIEF = select(
    m.Customer.customer_no,
    m.Customer.first_name,
    m.Customer.last_name,
    m.Customer.company_name,
    m.Customer.birth_date,
).where(m.Customer.id == bindparam("customer_id"))


@dataclass(frozen=True, slots=True)
class CustomerBrief:
    id: uuid.UUID
    customer_no: str
    first_name: str
    last_name: str
    company_name: str
    birth_date: date | None

    @property
    def display_name(self) -> str:
        """The name an account or a document carries: the company's, else the person's."""
        return self.company_name or f"{self.first_name} {self.last_name}"


def customer_brief(session: Session, customer_id: uuid.UUID) -> CustomerBrief | None:
    """The customer's brief, read at most once per transaction; None if there is none."""
    held: dict[uuid.UUID, CustomerBrief | None] = session.info.setdefault(_HELD, {})
    if customer_id in held:
        return held[customer_id]
    found = prepared.first(session.connection(), _BRIEF, {"customer_id": customer_id})
    brief = None if found is None else CustomerBrief(customer_id, *found)
    held[customer_id] = brief
    return brief
