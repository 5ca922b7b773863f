from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from app.errors import AccessDenied
from app.services.auth import AuthService
from domain.errors import ValidationError
from domain.users import LockoutPolicy, Role


def test_login_with_the_right_pin(demo_services: Services) -> None:
    user = demo_services.auth.login("anna", "1111")
    assert user.role is Role.CONSULTANT and user.display_name == "Anna Consultant"


def test_pins_are_stored_as_argon2_hashes(demo_services: Services) -> None:
    with demo_services.engine.connect() as conn:
        hashes = conn.execute(select(m.User.pin_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("1111" in h for h in hashes)


@pytest.mark.parametrize(
    ("username", "pin", "field"), [("", "1111", "username"), ("anna", "", "pin")]
)
def test_empty_fields_are_named(
    demo_services: Services, username: str, pin: str, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        demo_services.auth.login(username, pin)
    assert info.value.field == field


def test_lockout_after_repeated_failures_then_release(demo_services: Services) -> None:
    clock = [datetime(2026, 11, 22, 9, 0, tzinfo=UTC)]
    from app.db.uow import make_uow_factory

    uow = make_uow_factory(demo_services.engine, store_id="S001", terminal_id="T01")
    auth = AuthService(uow, policy=LockoutPolicy(3, timedelta(minutes=15)), clock=lambda: clock[0])
    with pytest.raises(AccessDenied, match="2 tries left"):
        auth.login("anna", "9999")
    with pytest.raises(AccessDenied, match="1 tries left"):
        auth.login("anna", "9999")
    with pytest.raises(AccessDenied, match="now locked"):
        auth.login("anna", "9999")
    with pytest.raises(AccessDenied, match="locked after too many wrong PINs"):
        auth.login("anna", "1111")  # even the right PIN waits out the lockout
    clock[0] += timedelta(minutes=16)
    assert auth.login("anna", "1111").username == "anna"
    with pytest.raises(AccessDenied, match="2 tries left"):
        auth.login("anna", "9999")  # the counter was reset by the success


def test_unknown_user_gets_the_same_message(demo_services: Services) -> None:
    with pytest.raises(AccessDenied, match="Wrong user name or PIN"):
        demo_services.auth.login("nobody", "1111")


def test_manager_approval_is_recorded_with_both_people(demo_services: Services) -> None:
    anna = demo_services.auth.login("anna", "1111")
    record = demo_services.auth.approve(
        action="void_basket",
        subject="ORD-1",
        requested_by=anna,
        manager_username="maria",
        pin="3333",
        reason="Customer changed their mind",
    )
    assert record.approved_by.username == "maria"
    with demo_services.engine.connect() as conn:
        row = conn.execute(select(m.Approval)).one()
    assert row.requested_by == anna.id and row.approved_by == record.approved_by.id
    assert row.reason == "Customer changed their mind" and row.action == "void_basket"


def test_approval_needs_a_manager_a_pin_and_a_reason(demo_services: Services) -> None:
    anna = demo_services.auth.login("anna", "1111")
    maria = demo_services.auth.login("maria", "3333")
    kwargs = {"action": "void_basket", "subject": "ORD-1", "requested_by": anna}
    with pytest.raises(ValidationError) as info:
        demo_services.auth.approve(**kwargs, manager_username="maria", pin="3333", reason=" ")
    assert info.value.field == "reason"
    with pytest.raises(AccessDenied, match="cannot approve"):
        demo_services.auth.approve(**kwargs, manager_username="boris", pin="2222", reason="r")
    with pytest.raises(AccessDenied, match="Wrong user name or PIN"):
        demo_services.auth.approve(**kwargs, manager_username="maria", pin="0000", reason="r")
    with pytest.raises(AccessDenied, match="Another manager"):
        demo_services.auth.approve(
            action="void_basket", subject="x", requested_by=maria,
            manager_username="maria", pin="3333", reason="r",
        )  # fmt: skip
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.Approval)).all() == []
