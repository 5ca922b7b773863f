"""Telecom and identity-document identifiers, validated with messages for the counter."""

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
