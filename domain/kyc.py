"""Know-your-customer checks the onboarding wizard runs before anything is stored.

:func:`document_from_mrz` turns a parsed machine-readable zone into an
:class:`~domain.customers.IdDocument`; a failed check digit or an unreadable date never
passes silently: the document carries a ``review_reason`` naming the field, and
:func:`kyc_findings` reports it as a finding of severity ``REVIEW``.

Severities:

- ``BLOCK``: the customer cannot be created like this (expired document, birth date on the
  document differs from the one entered, no expiry date readable).
- ``REVIEW``: the customer can be created, and the document is stored marked
  "needs manual review" for the second line.
- ``NOTE``: the consultant should know (document expires soon, under the postpaid
  minimum age so only prepaid plans can be sold, a minor whose consents a parent gives).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from domain.customers import DocumentType, IdDocument, age_on
from domain.identifiers.mrz import LABELS, MrzResult

EXPIRY_WARNING = timedelta(days=60)
ADULT_AGE = 18


class Severity(enum.IntEnum):
    NOTE = 1
    REVIEW = 2
    BLOCK = 3


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str


_DOC_TYPES = {"P": DocumentType.PASSPORT, "I": DocumentType.ID_CARD}


def document_from_mrz(result: MrzResult) -> IdDocument | None:
    """The document the zone describes, or None when it has no expiry date to go by.

    Codes starting "P" are passports; "I", "A" and "C" are identity cards, except "IR"/"AR"
    (residence permits, as issued in several EU states).
    """
    if result.expiry_date is None:
        return None
    code = result.document_type
    if code.startswith("P"):
        doc_type = DocumentType.PASSPORT
    elif code in ("IR", "AR", "RP"):
        doc_type = DocumentType.RESIDENCE_PERMIT
    else:
        doc_type = _DOC_TYPES.get(code[:1], DocumentType.ID_CARD)
    reason = ""
    if result.failed_checks:
        fields = ", ".join(LABELS.get(name, name) for name in result.failed_checks)
        reason = f"Check digit failed or field unreadable: {fields}"
    return IdDocument(
        doc_type=doc_type,
        number=result.document_number,
        issuing_country=result.issuing_country,
        expiry=result.expiry_date,
        birth_date=result.birth_date,
        nationality=result.nationality,
        from_mrz=True,
        review_reason=reason,
    )


def kyc_findings(
    *,
    document: IdDocument | None,
    birth_date: date | None,
    today: date,
    postpaid_min_age: int,
    require_document: bool = True,
) -> list[Finding]:
    """All findings, most severe first."""
    found: list[Finding] = []
    if document is None:
        if require_document:
            found.append(
                Finding(Severity.BLOCK, "no_document", "Scan or enter an identity document.")
            )
    else:
        if document.expiry < today:
            found.append(
                Finding(
                    Severity.BLOCK,
                    "expired",
                    f"The document expired on {document.expiry:%d.%m.%Y}; ask for a valid one.",
                )
            )
        elif document.expiry - today <= EXPIRY_WARNING:
            found.append(
                Finding(
                    Severity.NOTE,
                    "expires_soon",
                    f"The document expires on {document.expiry:%d.%m.%Y}.",
                )
            )
        if document.needs_review:
            found.append(
                Finding(
                    Severity.REVIEW,
                    "needs_review",
                    f"{document.review_reason}. The document will be stored as "
                    "'needs manual review'.",
                )
            )
        if (
            document.birth_date is not None
            and birth_date is not None
            and document.birth_date != birth_date
        ):
            found.append(
                Finding(
                    Severity.BLOCK,
                    "birth_date_mismatch",
                    f"The document says born {document.birth_date:%d.%m.%Y}, "
                    f"but {birth_date:%d.%m.%Y} was entered.",
                )
            )
    born = birth_date or (document.birth_date if document else None)
    if born is not None:
        age = age_on(born, today)
        if age < postpaid_min_age:
            found.append(
                Finding(
                    Severity.NOTE,
                    "under_postpaid_age",
                    f"Age {age}: postpaid plans need {postpaid_min_age}+; prepaid offers only.",
                )
            )
        if age < ADULT_AGE:
            found.append(
                Finding(
                    Severity.NOTE,
                    "minor",
                    "Under 18: a parent or guardian gives the consents.",
                )
            )
        if born.month == today.month and born.day == today.day:
            found.append(Finding(Severity.NOTE, "birthday", "It is the customer's birthday."))
    found.sort(key=lambda f: -f.severity)
    return found


def is_minor(born: date | None, today: date) -> bool:
    return born is not None and age_on(born, today) < ADULT_AGE
