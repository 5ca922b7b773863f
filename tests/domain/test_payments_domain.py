"""Card data masking, payment-intent transitions and the till's arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.card import CardSlip, mask_pan
from domain.errors import RuleViolation, ValidationError
from domain.money import Money
from domain.payment_intent import IntentStatus, check_transition
from domain.till import assess_close, check_close, count_total, parse_count


@pytest.mark.parametrize(
    ("pan", "masked"),
    [
        ("4111111111111111", "411111******1111"),
        ("4111 1111 1111 1111", "411111******1111"),
        ("411111******1111", "411111******1111"),
        ("6799998900000000123", "679999*********0123"),
        ("123456789012", "123456**9012"),
        ("************1111", "************1111"),
        ("", ""),
    ],
)
def test_mask_pan_keeps_at_most_bin_and_last_four(pan: str, masked: str) -> None:
    out = mask_pan(pan)
    assert out == masked
    digits = [c for c in out if c.isdigit()]
    assert len(digits) <= 10


@pytest.mark.parametrize("bad", ["VISA", "4111-abcd", "12345678901", "41111111111111111111"])
def test_mask_pan_refuses_what_is_not_a_card_number(bad: str) -> None:
    with pytest.raises(ValidationError, match="card number"):
        mask_pan(bad)


def test_a_slip_masks_and_checks_its_fields() -> None:
    slip = CardSlip(auth_code=" 123456 ", masked_pan="5500000000000004", brand="Mastercard")
    assert slip.masked_pan == "550000******0004" and slip.auth_code == "123456"
    assert CardSlip.from_dict(slip.as_dict()) == slip
    with pytest.raises(ValidationError, match="auth code"):
        CardSlip(auth_code="X" * 13)


def test_intent_transitions() -> None:
    check_transition("pending", IntentStatus.APPROVED)
    check_transition("pending", IntentStatus.NEEDS_CHECK)
    check_transition("needs_check", IntentStatus.NOT_CHARGED)
    check_transition("approved", IntentStatus.REVERSED)
    for current, target in [
        ("approved", IntentStatus.DECLINED),
        ("declined", IntentStatus.APPROVED),
        ("needs_check", IntentStatus.DECLINED),
        ("reversed", IntentStatus.APPROVED),
    ]:
        with pytest.raises(RuleViolation, match="cannot become"):
            check_transition(current, target)


def test_counts_by_denomination() -> None:
    count = parse_count({"50": "2", "0,50": "3", "20.00": "", "1": "0"}, "EUR")
    assert count == {"50.00": 2, "0.50": 3}
    assert count_total(count, "EUR") == Money(Decimal("101.50"), "EUR")
    with pytest.raises(ValidationError, match="not a note or coin"):
        parse_count({"3": "1"}, "EUR")
    with pytest.raises(ValidationError, match="whole number"):
        parse_count({"10": "-1"}, "EUR")
    with pytest.raises(ValidationError, match="whole number"):
        parse_count({"10": "1.5"}, "EUR")
    with pytest.raises(ValidationError, match="not plausible"):
        parse_count({"10": "100001"}, "EUR")
    with pytest.raises(ValidationError, match="No notes and coins"):
        parse_count({"10": "1"}, "XYZ")


def test_closing_needs_a_reason_and_above_the_threshold_the_manager() -> None:
    threshold = Money.of("20")
    exact = assess_close(Money.of("250"), Money.of("250"), threshold=threshold)
    assert not exact.needs_reason and not exact.needs_manager
    check_close(exact, reason="", manager_approved=False)
    short = assess_close(Money.of("250"), Money.of("245.50"), threshold=threshold)
    assert short.variance == Money.of("-4.50") and short.needs_reason and not short.needs_manager
    with pytest.raises(ValidationError, match=r"-4\.50"):
        check_close(short, reason=" ", manager_approved=False)
    check_close(short, reason="coin dropped", manager_approved=False)
    big = assess_close(Money.of("250"), Money.of("280.01"), threshold=threshold)
    assert big.needs_manager
    with pytest.raises(RuleViolation, match="manager"):
        check_close(big, reason="extra note", manager_approved=False)
    check_close(big, reason="extra note", manager_approved=True)
