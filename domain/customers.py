"""Customers as the counter sees them: who they are, how to reach them, what they agreed to.

Everything here is plain data and checks; the app layer normalises phone numbers (with
``phonenumbers``) before they reach these types, so a phone here is always E.164.

Each ``validate_*`` function returns the cleaned value or raises
:class:`~domain.errors.ValidationError` whose ``field`` names the input, so the onboarding
wizard and the edit dialog put the message next to the right widget.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date

from domain.errors import ValidationError
from domain.names import is_plausible_name

MAX_NAME = 100
MAX_COMPANY = 200
MAX_EMAIL = 254


class CustomerKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"


class Segment(enum.StrEnum):
    CONSUMER = "consumer"
    YOUTH = "youth"
    SENIOR = "senior"
    SMALL_BUSINESS = "small_business"
    ENTERPRISE = "enterprise"


class CustomerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class ConsentPurpose(enum.StrEnum):
    MARKETING = "marketing"
    PROFILING = "profiling"
    THIRD_PARTIES = "third_parties"


CONSENT_LABELS = {
    ConsentPurpose.MARKETING: "Offers and news by phone, SMS and e-mail",
    ConsentPurpose.PROFILING: "Use of usage data to tailor offers",
    ConsentPurpose.THIRD_PARTIES: "Sharing contact data with partner companies",
}


class GivenBy(enum.StrEnum):
    SELF = "self"
    PARENT = "parent"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"


class DocumentType(enum.StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    RESIDENCE_PERMIT = "residence_permit"
    DRIVING_LICENCE = "driving_licence"


DOCUMENT_LABELS = {
    DocumentType.PASSPORT: "Passport",
    DocumentType.ID_CARD: "ID card",
    DocumentType.RESIDENCE_PERMIT: "Residence permit",
    DocumentType.DRIVING_LICENCE: "Driving licence",
}


@dataclass(frozen=True)
class Consent:
    purpose: ConsentPurpose
    granted: bool
    given_by: GivenBy = GivenBy.SELF
    given_by_name: str = ""  # the parent's or representative's name when not SELF
    channel: str = "store"


@dataclass(frozen=True)
class IdDocument:
    doc_type: DocumentType
    number: str
    issuing_country: str  # ISO 3166 alpha-3, as in the MRZ
    expiry: date
    birth_date: date | None = None
    nationality: str = ""
    from_mrz: bool = False
    # Set when a check digit failed or a field was unreadable: a person must look at it.
    review_reason: str = ""

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reason)


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    postcode: str
    country: str  # ISO 3166 alpha-2
    line2: str = ""
    kind: str = "home"  # "home" or "billing"


@dataclass(frozen=True)
class ContactPerson:
    """Someone a business customer has authorised to act for it at the counter."""

    first_name: str
    last_name: str
    role: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewCustomer:
    """What the onboarding wizard has gathered; nothing is stored before it is confirmed.

    For a business, ``first_name``/``last_name`` are the person at the counter, who is
    stored as its first authorised contact person; ``contacts`` are any others.
    """

    kind: CustomerKind
    first_name: str
    last_name: str
    birth_date: date | None
    phone: str  # E.164
    email: str = ""
    company_name: str = ""
    company_reg_no: str = ""
    segment: Segment = Segment.CONSUMER
    address: Address | None = None
    document: IdDocument | None = None
    consents: tuple[Consent, ...] = ()
    contacts: tuple[ContactPerson, ...] = field(default=())


# --- single fields ------------------------------------------------------------------------


def validate_person_name(value: str, *, field: str, label: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationError(f"Enter the {label}.", field=field)
    if len(text) > MAX_NAME:
        raise ValidationError(f"The {label} is longer than {MAX_NAME} characters.", field=field)
    if not is_plausible_name(text):
        raise ValidationError(
            f"The {label} can have letters, spaces, hyphens and apostrophes only.", field=field
        )
    return text


def validate_company_name(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationError("Enter the company name.", field="company_name")
    if len(text) > MAX_COMPANY:
        raise ValidationError(
            f"The company name is longer than {MAX_COMPANY} characters.", field="company_name"
        )
    if not any(ch.isalnum() for ch in text):
        raise ValidationError("The company name needs letters or digits.", field="company_name")
    return text


_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")


def validate_email(value: str, *, field: str = "email") -> str:
    """An address like ``name@example.org``; empty stays empty (e-mail is optional).

    The domain may be internationalised (letters of any script); the local part is the
    common dot-atom form. The domain is lower-cased.
    """
    text = value.strip()
    if not text:
        return ""
    if len(text) > MAX_EMAIL:
        raise ValidationError("This e-mail address is too long.", field=field)
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError("An e-mail address looks like name@example.org.", field=field)
    if len(local) > 64:
        raise ValidationError("The part before @ is longer than 64 characters.", field=field)
    if not _LOCAL.fullmatch(local):
        raise ValidationError(
            "The part before @ has a character an e-mail address cannot have.", field=field
        )
    labels = domain.lower().split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValidationError("The part after @ must be a domain such as example.org.", field=field)
    if len(labels[-1]) < 2 or labels[-1].isdigit():
        raise ValidationError(
            "The part after @ must end in a domain such as .org or .de.", field=field
        )
    return f"{local}@{'.'.join(labels)}"


def age_on(born: date, today: date) -> int:
    """Completed years; someone born on 29 February turns a year older on 1 March."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_birth_date(born: date | None, today: date, *, required: bool = True) -> date | None:
    if born is None:
        if required:
            raise ValidationError("Enter the date of birth.", field="birth_date")
        return None
    if born > today:
        raise ValidationError("The date of birth is in the future.", field="birth_date")
    if age_on(born, today) > 130:
        raise ValidationError("Check the date of birth: that is over 130 years ago.",
                              field="birth_date")  # fmt: skip
    return born


_DOC_NUMBER = re.compile(r"^[A-Z0-9]{4,20}$")
_COUNTRY3 = re.compile(r"^[A-Z]{3}$")
_COUNTRY2 = re.compile(r"^[A-Z]{2}$")
_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")


def normalise_document_number(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def validate_document(doc: IdDocument) -> IdDocument:
    number = normalise_document_number(doc.number)
    if not number:
        raise ValidationError("Enter the document number.", field="doc_number")
    if not _DOC_NUMBER.match(number):
        raise ValidationError(
            "A document number has 4 to 20 letters and digits.", field="doc_number"
        )
    country = doc.issuing_country.strip().upper()
    if not _COUNTRY3.match(country):
        raise ValidationError(
            "The issuing country is a three-letter code such as DEU or UKR.",
            field="doc_country",
        )
    nationality = doc.nationality.strip().upper()
    if nationality and not _COUNTRY3.match(nationality):
        raise ValidationError(
            "The nationality is a three-letter code such as DEU or UKR.", field="nationality"
        )
    return IdDocument(
        doc_type=doc.doc_type,
        number=number,
        issuing_country=country,
        expiry=doc.expiry,
        birth_date=doc.birth_date,
        nationality=nationality,
        from_mrz=doc.from_mrz,
        review_reason=doc.review_reason,
    )


def validate_address(address: Address) -> Address:
    line1 = " ".join(address.line1.split())
    city = " ".join(address.city.split())
    postcode = " ".join(address.postcode.split()).upper()
    country = address.country.strip().upper()
    if not line1:
        raise ValidationError("Enter the street and house number.", field="address_line1")
    if len(line1) > 200 or len(address.line2) > 200:
        raise ValidationError("An address line has at most 200 characters.",
                              field="address_line1")  # fmt: skip
    if not city:
        raise ValidationError("Enter the city.", field="address_city")
    if len(city) > 100:
        raise ValidationError("The city has at most 100 characters.", field="address_city")
    if not _POSTCODE.match(postcode):
        raise ValidationError(
            "A postcode has 2 to 10 letters, digits, spaces or hyphens.", field="address_postcode"
        )
    if not _COUNTRY2.match(country):
        raise ValidationError(
            "The country is a two-letter code such as DE or UA.", field="address_country"
        )
    return Address(line1, city, postcode, country, " ".join(address.line2.split()), address.kind)


def validate_consents(consents: tuple[Consent, ...], *, minor: bool) -> tuple[Consent, ...]:
    """Every purpose answered exactly once; a minor's answers come from a parent or guardian."""
    answered = {c.purpose for c in consents}
    missing = [p for p in ConsentPurpose if p not in answered]
    if missing:
        names = ", ".join(CONSENT_LABELS[p].lower() for p in missing)
        raise ValidationError(f"Ask the customer and record yes or no for: {names}.",
                              field="consents")  # fmt: skip
    if len(answered) != len(consents):
        raise ValidationError("Each consent is recorded once.", field="consents")
    for consent in consents:
        if consent.given_by is not GivenBy.SELF and not consent.given_by_name.strip():
            raise ValidationError(
                "Enter the name of the person giving consent for the customer.",
                field="consent_given_by",
            )
        if minor and consent.given_by not in (GivenBy.PARENT, GivenBy.GUARDIAN):
            raise ValidationError(
                "The customer is under 18: a parent or guardian gives the consents.",
                field="consent_given_by",
            )
    return consents


def mask_identifier(value: str, *, visible: int = 3) -> str:
    """``"L01X00T47"`` → ``"••••••T47"``: enough to compare with the card, not to copy it."""
    if visible <= 0 or len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]


def validate_new_customer(draft: NewCustomer, *, today: date) -> NewCustomer:
    """Every field of the draft checked and cleaned; the first problem raises."""
    business = draft.kind is CustomerKind.BUSINESS
    company = validate_company_name(draft.company_name) if business else ""
    first = validate_person_name(draft.first_name, field="first_name", label="first name")
    last = validate_person_name(draft.last_name, field="last_name", label="last name")
    born = validate_birth_date(draft.birth_date, today, required=not business)
    email = validate_email(draft.email)
    reg_no = " ".join(draft.company_reg_no.split())
    if len(reg_no) > 32:
        raise ValidationError("The registration number has at most 32 characters.",
                              field="company_reg_no")  # fmt: skip
    if not draft.phone.startswith("+"):
        raise ValidationError("Enter a phone number.", field="phone")
    address = validate_address(draft.address) if draft.address else None
    if business and address is None:
        raise ValidationError("A business customer needs its registered address.",
                              field="address_line1")  # fmt: skip
    document = validate_document(draft.document) if draft.document else None
    minor = born is not None and age_on(born, today) < 18
    consents = validate_consents(draft.consents, minor=minor)
    contacts = tuple(
        ContactPerson(
            validate_person_name(c.first_name, field="contact_first_name", label="first name"),
            validate_person_name(c.last_name, field="contact_last_name", label="last name"),
            " ".join(c.role.split())[:100],
            c.phone,
            validate_email(c.email, field="contact_email"),
        )
        for c in draft.contacts
    )
    return NewCustomer(
        kind=draft.kind,
        first_name=first,
        last_name=last,
        birth_date=born,
        phone=draft.phone,
        email=email,
        company_name=company,
        company_reg_no=reg_no,
        segment=draft.segment,
        address=address,
        document=document,
        consents=consents,
        contacts=contacts,
    )


def parse_day(text: str, *, field: str, label: str, required: bool = True) -> date | None:
    """A date typed as DD.MM.YYYY, DD/MM/YYYY or YYYY-MM-DD; empty gives None if allowed."""
    value = text.strip()
    if not value:
        if required:
            raise ValidationError(f"Enter the {label}.", field=field)
        return None
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        raise ValidationError(f"Type the {label} as DD.MM.YYYY.", field=field)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"The {label} is not a real date.", field=field) from None
