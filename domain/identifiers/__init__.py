"""Telecom and identity-document identifiers, checked with messages for the counter.

Every ``parse_*`` function takes typed or scanned text and either returns a frozen value
object or raises :class:`domain.errors.ValidationError` whose message tells the consultant
what is wrong. The exception is :func:`parse_mrz`: a failed check digit does not raise but is
reported in :attr:`MrzResult.failed_checks`, so the document can go to manual review.

- :func:`parse_msisdn` → :class:`Msisdn` (E.164 phone number)
- :func:`parse_iccid` → :class:`Iccid` (SIM card serial)
- :func:`parse_imei` → :class:`Imei` (device identity; IMEISV is normalised to IMEI)
- :func:`parse_imsi` → :class:`Imsi` (subscriber identity: MCC, MNC, MSIN)
- :func:`parse_mrz` → :class:`MrzResult` (ICAO 9303 TD1/TD2/TD3 machine-readable zone)
- :func:`luhn_check_digit`, :func:`luhn_valid`, :func:`check_digit` (ICAO 7-3-1)
"""

from domain.identifiers.iccid import Iccid, parse_iccid
from domain.identifiers.imei import Imei, parse_imei
from domain.identifiers.imsi import Imsi, parse_imsi
from domain.identifiers.luhn import luhn_check_digit, luhn_valid
from domain.identifiers.mrz import MrzResult, check_digit, describe_failures, parse_mrz
from domain.identifiers.msisdn import Msisdn, parse_msisdn

__all__ = [
    "Iccid",
    "Imei",
    "Imsi",
    "MrzResult",
    "Msisdn",
    "check_digit",
    "describe_failures",
    "luhn_check_digit",
    "luhn_valid",
    "parse_iccid",
    "parse_imei",
    "parse_imsi",
    "parse_mrz",
    "parse_msisdn",
]
