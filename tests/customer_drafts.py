"""Building onboarding drafts in tests: a valid adult with a valid ID card by default."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.bootstrap import Services
from app.services.auth import UserInfo
from domain.customers import (
    Address,
    Consent,
    ConsentPurpose,
    CustomerKind,
    DocumentType,
    GivenBy,
    IdDocument,
    NewCustomer,
)

_counter = iter(range(1, 10_000_000))


def consents(granted: bool = False, **kwargs: Any) -> tuple[Consent, ...]:
    return tuple(Consent(purpose, granted, **kwargs) for purpose in ConsentPurpose)


def document(number: str | None = None, **overrides: Any) -> IdDocument:
    values: dict[str, Any] = {
        "doc_type": DocumentType.ID_CARD,
        "number": number or f"T{next(_counter):08d}",
        "issuing_country": "DEU",
        "expiry": date.today() + timedelta(days=900),
        "birth_date": date(1990, 5, 17),
        "nationality": "DEU",
    }
    values.update(overrides)
    return IdDocument(**values)


def draft(
    services: Services | None = None,
    *,
    first: str = "Erika",
    last: str = "Mustermann",
    phone: str = "+49 151 23456789",
    born: date | None = date(1990, 5, 17),
    **overrides: Any,
) -> NewCustomer:
    normalised = services.onboarding.phone(phone) if services else phone
    values: dict[str, Any] = {
        "kind": CustomerKind.INDIVIDUAL,
        "first_name": first,
        "last_name": last,
        "birth_date": born,
        "phone": normalised,
        "email": "erika@example.org",
        "address": Address("Heidestrasse 17", "Köln", "51147", "DE"),
        "document": document(birth_date=born),
        "consents": consents(),
    }
    values.update(overrides)
    return NewCustomer(**values)


def minor_consents(parent: str = "Maria Parent") -> tuple[Consent, ...]:
    return consents(given_by=GivenBy.PARENT, given_by_name=parent)


def staff(services: Services, username: str = "anna", pin: str = "1111") -> UserInfo:
    return services.auth.login(username, pin)
