"""The Customer 360: what it shows, the insights with their sources, notes, visits, edits."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from customer_drafts import draft, staff

from app.bootstrap import Services
from app.db import models as m
from domain.customers import Address
from domain.errors import ValidationError
from domain.insights import Level


@pytest.fixture
def store(services: Services) -> Services:
    services.demo.ensure(customers=0)
    return services


def _customer(store: Services, **kwargs: object) -> uuid.UUID:
    today = date.today()
    born = today.replace(year=today.year - 30) + timedelta(days=3)
    if (born.month, born.day) == (2, 29):
        born += timedelta(days=1)
    new = draft(store, born=born, **kwargs)  # type: ignore[arg-type]
    new = new.__class__(**{**new.__dict__, "document": new.document.__class__(
        **{**new.document.__dict__, "birth_date": born})})  # type: ignore[union-attr]  # fmt: skip
    return store.onboarding.create(new, user=staff(store), accept_duplicates=True)


def _history(store: Services, cid: uuid.UUID) -> dict[str, uuid.UUID]:
    """A subscription ending soon, a recent SIM swap, a declined card payment."""
    now = datetime.now(UTC)
    user = staff(store)
    ids: dict[str, uuid.UUID] = {}
    with _uow(store) as uow:
        s = uow.session
        sub = m.Subscription(
            customer_id=cid, msisdn="+4915199990001", plan_name="Smart M 30 GB",
            iccid="8949100000000000017", status="active", addons=["Roaming World 5 GB"],
            commitment_end=date.today() + timedelta(days=40),
        )  # fmt: skip
        old = m.Subscription(
            customer_id=cid, msisdn="+4915199990002", plan_name="Smart S 10 GB",
            status="cancelled", commitment_end=date.today() + timedelta(days=10),
        )  # fmt: skip
        s.add_all([sub, old])
        order = m.Order(number="ORD-TEST-1", customer_id=cid, status="awaiting_payment",
                        currency="EUR", total_minor=4990, created_by=user.id)  # fmt: skip
        s.add(order)
        s.flush()
        pay = m.Payment(order_id=order.id, tender="card", status="declined", amount_minor=4990,
                        currency="EUR", user_id=user.id)  # fmt: skip
        swap = m.Interaction(customer_id=cid, kind="sim_swap", occurred_at=now - timedelta(days=2),
                             summary="SIM swapped: phone stolen", ref_kind="subscription",
                             ref_id=sub.id)  # fmt: skip
        old_change = m.Interaction(customer_id=cid, kind="plan_change",
                                   occurred_at=now - timedelta(days=30),
                                   summary="Changed plan long ago")  # fmt: skip
        s.add_all([pay, swap, old_change])
        s.flush()
        ids.update(sub=sub.id, payment=pay.id, swap=swap.id, order=order.id)
        uow.commit()
    return ids


def _uow(store: Services):  # type: ignore[no-untyped-def]
    from app.db.uow import make_uow_factory

    return make_uow_factory(store.engine, store_id="S001", terminal_id="T01")()


def test_profile_sections_and_insights_link_to_their_records(store: Services) -> None:
    cid = _customer(store)
    ids = _history(store, cid)
    profile = store.customers.profile(cid)
    assert profile.subscriptions[0].msisdn == "+4915199990001"
    assert profile.subscriptions[0].addons == ("Roaming World 5 GB",)
    assert profile.orders[0].number == "ORD-TEST-1"
    assert profile.payments[0].status == "declined"
    assert profile.cases == ()
    by_kind = {i.kind: i for i in profile.insights}
    assert by_kind["sim_swap"].level is Level.ALERT
    assert by_kind["sim_swap"].source_id == ids["swap"]
    assert by_kind["payment_declined"].source_id == ids["payment"]
    assert by_kind["commitment_ending"].source_id == ids["sub"]
    assert "plan_change" not in by_kind  # 30 days ago is not recent
    assert by_kind["birthday"].text == "Birthday in 3 days"
    ending = [i for i in profile.insights if i.kind == "commitment_ending"]
    assert len(ending) == 1  # the cancelled line is not an upgrade chance
    assert profile.insights[0].level is Level.ALERT


def test_timeline_is_newest_first_and_notes_go_on_top(store: Services) -> None:
    cid = _customer(store)
    _history(store, cid)
    user = staff(store)
    store.customers.add_note(cid, "  Asked about   eSIM for the watch ", user=user)
    timeline = store.customers.profile(cid).timeline
    assert timeline[0].kind == "note" and timeline[0].summary == "Asked about eSIM for the watch"
    times = [e.occurred_at for e in timeline]
    assert times == sorted(times, reverse=True)
    for bad in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError):
            store.customers.add_note(cid, bad, user=user)


def test_opening_from_search_logs_one_visit_per_half_hour(store: Services) -> None:
    cid = _customer(store)
    user = staff(store)
    store.customers.open_from_search(cid, user=user)
    store.customers.open_from_search(cid, user=user)
    visits = [e for e in store.customers.profile(cid).timeline if e.kind == "visit"]
    assert len(visits) == 1 and "Anna Consultant" in visits[0].summary
    store.customers.open_from_search(cid, user=staff(store, "boris", "2222"))
    visits = [e for e in store.customers.profile(cid).timeline if e.kind == "visit"]
    assert len(visits) == 2


def test_document_numbers_are_masked_for_consultants_only(store: Services) -> None:
    cid = _customer(store)
    masked = store.customers.profile(cid, user=staff(store)).documents[0].number
    shown = store.customers.profile(cid, user=staff(store, "boris", "2222")).documents[0].number
    assert masked.startswith("•") and not shown.startswith("•")
    assert masked[-3:] == shown[-3:]


def test_contact_edits_keep_the_old_value_in_history_and_timeline(store: Services) -> None:
    cid = _customer(store)
    user = staff(store)
    store.customers.change_contact(
        cid, field="phone", value="+49 160 1234567", reason="new contract", user=user
    )
    store.customers.change_contact(
        cid, field="email", value="New@Example.org", reason="typo", user=user
    )
    store.customers.change_contact(
        cid, field="address", value=Address("Ringstraße 1", "Bonn", "53111", "de"),
        reason="moved", user=user,
    )  # fmt: skip
    history = store.customers.history(cid)
    assert [h.field for h in history] == ["address", "email", "phone"]
    phone = history[-1]
    assert phone.old_value == "+49 1512 3456789" and phone.new_value == "+49 160 1234567"
    assert phone.reason == "new contract"
    assert history[1].new_value == "New@example.org"
    profile = store.customers.profile(cid)
    changes = [e for e in profile.timeline if e.kind == "change"]
    assert len(changes) == 3
    assert any("from +49 1512 3456789 to +49 160 1234567 — new contract" in e.summary
               for e in changes)  # fmt: skip
    assert profile.phone == "+49 160 1234567"
    assert "Ringstraße 1, 53111 Bonn, DE" in profile.addresses[0].text


@pytest.mark.parametrize(
    ("field", "value", "reason", "error_field"),
    [
        ("phone", "12", "new", "phone"),
        ("email", "nope", "new", "email"),
        ("phone", "+49 151 23456789", "same", "phone"),
        ("phone", "+49 160 1234567", "", "reason"),
        ("birth_date", "2000-01-01", "why", "field"),
        ("address", Address("", "Bonn", "53111", "DE"), "moved", "address_line1"),
    ],
)
def test_bad_edits_change_nothing(
    store: Services, field: str, value: object, reason: str, error_field: str
) -> None:
    cid = _customer(store)
    before = store.customers.profile(cid)
    with pytest.raises(ValidationError) as caught:
        store.customers.change_contact(
            cid,
            field=field,
            value=value,
            reason=reason,
            user=staff(store),  # type: ignore[arg-type]
        )
    assert caught.value.field == error_field
    after = store.customers.profile(cid)
    assert (after.phone, after.email, after.addresses) == (
        before.phone, before.email, before.addresses,
    )  # fmt: skip
    assert store.customers.history(cid) == []


def test_devices_bought_show_imei_model_and_warranty(demo_services: Services) -> None:
    from app.demo.seed import demo_imei

    sales = demo_services.sales
    user = staff(demo_services)
    cid = demo_services.customers.search("C00000001")[0].id
    basket = sales.start(customer_id=cid, user=user)
    phone = next(o for o in demo_services.catalog.sellable(day=date.today())
                 if o.device is not None and o.device.tacs)  # fmt: skip
    assert phone.device is not None
    imei = demo_imei(phone.device.tacs[0], 1)
    basket = sales.add_code(basket.order_id, imei, user=user)
    sales.pay_cash(basket.order_id, str(basket.total.amount), user=user)
    profile = demo_services.customers.profile(cid)
    assert profile.devices[0].imei == imei
    assert profile.devices[0].warranty_end is not None
    assert profile.devices[0].warranty_end.year == date.today().year + 2
    assert demo_services.customers.search(imei)[0].id == cid


def _many_events(store: Services, cid: uuid.UUID, count: int) -> None:
    from sqlalchemy import insert

    from domain.ids import new_id

    now = datetime.now(UTC)
    rows = [
        {"id": new_id(), "store_id": "S001", "terminal_id": "T01", "version": 1,
         "created_at": now, "updated_at": now, "customer_id": cid,
         "kind": "note" if n % 10 == 0 else "visit", "summary": f"entry {n}",
         "occurred_at": now - timedelta(minutes=n), "user_id": None, "ref_kind": "",
         "ref_id": None}
        for n in range(count)
    ]  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(insert(m.Interaction), rows)


def test_the_timeline_comes_in_pages_newest_first(store: Services) -> None:
    from app.services.customer_profile import TIMELINE_PAGE

    cid = _customer(store)
    _many_events(store, cid, 2000)
    profile = store.customers.profile(cid)
    assert len(profile.timeline) == TIMELINE_PAGE and profile.timeline_total == 2001
    older = store.customers.timeline(cid, before=profile.timeline[-1].occurred_at)
    assert older[0].occurred_at < profile.timeline[-1].occurred_at
    notes = store.customers.timeline(cid, kinds=("note",), limit=1000)
    assert len(notes) == 200 and all(e.kind == "note" for e in notes)
    everything: list[object] = []
    before = None
    while True:
        page = store.customers.timeline(cid, before=before)  # type: ignore[arg-type]
        everything += page
        if len(page) < TIMELINE_PAGE:
            break
        before = page[-1].occurred_at
    assert len(everything) == 2001
