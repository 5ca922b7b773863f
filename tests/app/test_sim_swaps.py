"""SIM swap: identity check, old SIM out, new SIM in, risk entry on the timeline, fee."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from customer_drafts import staff
from sqlalchemy import func, select, update

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from domain.errors import RuleViolation, ValidationError
from domain.insights import Level

NEW_SIM = demo_iccid(1, 31)


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    return staff(demo_services)


def _line(services: Services, number: str = "C00000008") -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    cid = services.customers.search(number)[0].id
    with services.engine.connect() as conn:
        sub = conn.scalar(select(m.Subscription.id).where(m.Subscription.customer_id == cid))
        doc = conn.scalar(
            select(m.IdentityDocument.id).where(m.IdentityDocument.customer_id == cid)
        )
        conn.execute(
            update(m.IdentityDocument)
            .where(m.IdentityDocument.id == doc)
            .values(expiry_date=date.today() + timedelta(days=400))
        )
        conn.commit()
    assert sub is not None and doc is not None
    return cid, sub, doc


def _sim_status(services: Services, iccid: str) -> str | None:
    with services.engine.connect() as conn:
        return conn.scalar(select(m.SimCard.status).where(m.SimCard.iccid == iccid))


def _counts(services: Services) -> tuple[int, int, int]:
    with services.engine.connect() as conn:
        return (
            int(conn.scalar(select(func.count()).select_from(m.SimSwap)) or 0),
            int(conn.scalar(select(func.count()).select_from(m.Interaction)) or 0),
            int(conn.scalar(select(func.count()).select_from(m.Order)) or 0),
        )


def test_swap_pairs_the_new_sim_records_the_check_and_bills_the_fee(
    demo_services: Services, anna: UserInfo
) -> None:
    cid, sub, doc = _line(demo_services)
    usable = demo_services.sim_swaps.documents(cid)
    assert usable[0][0] == doc and usable[0][2] and "•" in usable[0][1]
    result = demo_services.sim_swaps.swap(
        sub, NEW_SIM, document_id=doc, checked_in_person=True, reason="stolen", user=anna
    )
    assert result.old_iccid == demo_iccid(900, 8) and result.new_iccid == NEW_SIM
    assert _sim_status(demo_services, NEW_SIM) == "activated"
    profile = demo_services.customers.profile(cid)
    assert profile.subscriptions[0].iccid == NEW_SIM
    swap = profile.timeline[0]
    assert (
        swap.kind == "sim_swap" and "stolen" in swap.summary and "Anna Consultant" in swap.summary
    )
    alert = next(i for i in profile.insights if i.kind == "sim_swap")
    assert alert.level is Level.ALERT and alert.source_id == swap.id
    assert result.fee_order_id is not None
    basket = demo_services.sales.basket(result.fee_order_id)
    assert [line.sku for line in basket.lines] == ["SVC-SWAP"]
    assert basket.customer_id == cid and basket.total.amount == 15
    assert demo_services.customers.search(NEW_SIM)[0].id == cid
    with demo_services.engine.connect() as conn:
        record = conn.execute(select(m.SimSwap)).one()
    assert (record.document_id, record.checked_by, record.reason) == (doc, anna.id, "stolen")
    assert record.fee_order_id == result.fee_order_id


def test_a_swapped_out_store_sim_is_retired(demo_services: Services, anna: UserInfo) -> None:
    _cid, sub, doc = _line(demo_services)
    swaps = demo_services.sim_swaps
    swaps.swap(sub, NEW_SIM, document_id=doc, checked_in_person=True, reason="lost", user=anna)
    swaps.swap(sub, demo_iccid(1, 32), document_id=doc, checked_in_person=True,
               reason="switch to eSIM", user=anna)  # fmt: skip
    assert _sim_status(demo_services, NEW_SIM) == "retired"
    assert _sim_status(demo_services, demo_iccid(1, 32)) == "activated"


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"reason": ""}, ValidationError, "why"),
        ({"checked_in_person": False}, ValidationError, "in person"),
        ({"document_id": None}, ValidationError, "Choose the document"),
        ({"new_iccid": "8949100000000000019"}, ValidationError, "check digit"),
        ({"new_iccid": demo_iccid(1, 9999)}, ValidationError, "not in this store's stock"),
        ({"new_iccid": demo_iccid(900, 8)}, ValidationError, "already has"),
        ({"foreign_document": True}, ValidationError, "not the customer's"),
        ({"expired_document": True}, RuleViolation, "expired"),
        ({"review_document": True}, RuleViolation, "manual review"),
    ],
)
def test_refusals_change_nothing(
    demo_services: Services, anna: UserInfo, change: dict[str, object], error: type, message: str
) -> None:
    _cid, sub, doc = _line(demo_services)
    args: dict[str, object] = {"new_iccid": NEW_SIM, "document_id": doc,
                               "checked_in_person": True, "reason": "lost"}  # fmt: skip
    if change.pop("foreign_document", False):
        args["document_id"] = _line(demo_services, "C00000009")[2]
    with demo_services.engine.begin() as conn:
        if change.pop("expired_document", False):
            conn.execute(update(m.IdentityDocument).where(m.IdentityDocument.id == doc)
                         .values(expiry_date=date.today() - timedelta(days=1)))  # fmt: skip
        if change.pop("review_document", False):
            conn.execute(update(m.IdentityDocument).where(m.IdentityDocument.id == doc)
                         .values(review_status="needs_review"))  # fmt: skip
    args.update(change)
    before = _counts(demo_services)
    with pytest.raises(error, match=message):
        demo_services.sim_swaps.swap(sub, user=anna, **args)  # type: ignore[arg-type]
    assert _counts(demo_services) == before
    assert _sim_status(demo_services, NEW_SIM) == "in_stock"


def test_a_crash_inside_the_swap_leaves_nothing(
    demo_services: Services, anna: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cid, sub, doc = _line(demo_services)
    before = _counts(demo_services)

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("app.services.customer_index.refresh", broken)
    with pytest.raises(OSError, match="disk full"):
        demo_services.sim_swaps.swap(
            sub, NEW_SIM, document_id=doc, checked_in_person=True, reason="lost", user=anna
        )
    assert _counts(demo_services) == before
    assert _sim_status(demo_services, NEW_SIM) == "in_stock"
