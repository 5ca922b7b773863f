from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.money import Money, parse_amount, round_money

amounts = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=2)
rates = st.sampled_from([Decimal(r) for r in ("0", "5", "7", "10", "19", "20", "21", "25.5")])


def test_round_money_half_up_and_cash_steps() -> None:
    assert round_money(Decimal("2.005")) == Decimal("2.01")
    assert round_money(Decimal("-2.005")) == Decimal("-2.01")
    assert round_money(Decimal("9.97"), Decimal("0.05")) == Decimal("9.95")
    assert round_money(Decimal("9.98"), Decimal("0.05")) == Decimal("10.00")
    with pytest.raises(ValueError, match="positive"):
        round_money(Decimal(1), Decimal(0))


@pytest.mark.parametrize(
    ("text", "expected"), [("12,50", "12.50"), (" 3 ", "3"), ("1 000.5", "1000.5")]
)
def test_parse_amount_accepts_what_people_type(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Enter an amount"), ("abc", "not an amount"), ("1.234", "two decimal"), ("nan", "not")],
)
def test_parse_amount_rejects_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        parse_amount(text, field="cash_given")
    assert info.value.field == "cash_given"


def test_minor_units_round_trip() -> None:
    assert Money.of("12.34").minor == 1234
    assert Money.from_minor(1234) == Money.of("12.34")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money.of(1, "EUR") + Money.of(1, "RUB")


@given(amounts, rates)
def test_tax_split_adds_up_to_the_cent(amount: Decimal, rate: Decimal) -> None:
    net, tax = Money(amount).split_tax(rate)
    assert net + tax == Money(round_money(amount))
    assert abs(tax.amount) <= abs(round_money(amount))


@given(amounts)
def test_minor_is_exact_for_cent_amounts(amount: Decimal) -> None:
    assert Money.from_minor(Money(amount).minor).amount == amount
