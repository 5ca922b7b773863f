from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import ValidationError
from domain.ids import id_timestamp_ms, new_id
from domain.money import Money
from domain.tender import settle_cash
from domain.text import search_key
from domain.users import LockoutPolicy, Permission, Role, has_permission, validate_pin


def test_cash_change_and_rounding() -> None:
    paid = settle_cash(Money.of("9.97"), Money.of("20"), rounding=Decimal("0.05"))
    assert paid.due == Money.of("9.95")
    assert paid.change == Money.of("10.05")


def test_not_enough_cash_says_how_much_more() -> None:
    with pytest.raises(ValidationError, match=r"0\.50 EUR more is needed") as info:
        settle_cash(Money.of("10.00"), Money.of("9.50"))
    assert info.value.field == "cash_given"


def test_ids_are_version_7_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(5000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    assert abs(id_timestamp_ms(ids[-1]) - now_ms) < 60_000


@pytest.mark.parametrize(
    ("pin", "ok"), [("1234", True), ("12", False), ("12a4", False), ("", False)]
)
def test_pin_rules(pin: str, ok: bool) -> None:
    if ok:
        assert validate_pin(pin) == pin
    else:
        with pytest.raises(ValidationError):
            validate_pin(pin)


def test_lockout_after_max_failures() -> None:
    policy = LockoutPolicy(max_failures=3, lockout=timedelta(minutes=10))
    last = datetime(2026, 1, 1, tzinfo=UTC)
    assert policy.locked_until(2, last) is None
    assert policy.locked_until(3, last) == last + timedelta(minutes=10)


def test_roles() -> None:
    assert has_permission(Role.MANAGER, Permission.APPROVE)
    assert not has_permission(Role.CONSULTANT, Permission.VOID)
    assert has_permission(Role.IT_ADMIN, Permission.DEVICE_SETUP)


def test_search_key() -> None:
    assert search_key("Müller", " Jürgen ") == "muller jurgen"
    assert search_key("Ёлкин") == "елкин"
