"""Store stock through the real services: deliveries, transfers, adjustments, levels."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import ACCESSORY_STOCK, demo_iccid, demo_imei
from app.errors import AccessDenied, NotFound
from app.services.auth import UserInfo
from domain.errors import RuleViolation, ValidationError
from domain.stock import AdjustmentReason

A15_TAC = "35328115"
IP15_TAC = "35407115"


def iccid(n: int) -> str:
    return demo_iccid(7, n)  # a range the demo store does not hold


def imei(tac: str, n: int) -> str:
    return demo_imei(tac, 500 + n)


def _count(services: Services, model: type) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _status(services: Services, serial: str) -> str:
    with services.engine.connect() as conn:
        table, column = (
            (m.DeviceUnit, m.DeviceUnit.imei) if len(serial) == 15 else (m.SimCard, m.SimCard.iccid)
        )
        return conn.execute(select(table.status).where(column == serial)).scalar_one()


def test_a_delivery_file_is_received_whole(demo_services: Services, anna: UserInfo) -> None:
    stock = demo_services.stock
    before = stock.line("ACC-CASE").in_stock
    text = (
        "sku;serial;imsi;quantity\n"
        f"SIM-STD;{iccid(1)};262019999000001;\n"
        f"SIM-ESIM;{iccid(2)};;\n"
        f"DEV-A15;{imei(A15_TAC, 1)};;\n"
        "ACC-CASE;;;12\n"
    )
    result = stock.receive(text, reference="DN-4711", user=anna)
    assert (result.units, result.quantity) == (3, 12)
    assert result.summary == "2 SIM cards, 1 devices, 12 accessories"
    assert _status(demo_services, iccid(1)) == "in_stock"
    assert _status(demo_services, imei(A15_TAC, 1)) == "in_stock"
    assert stock.line("ACC-CASE").in_stock == before + 12
    moves = stock.moves(limit=10)
    assert {mv.reference for mv in moves[:4]} == {"DN-4711"}
    assert {mv.kind for mv in moves[:4]} == {"receipt"}
    # The new SIM sells at once.
    basket = demo_services.sales.start(customer_id=None, user=anna)
    basket = demo_services.sales.add_code(basket.order_id, iccid(1), user=anna)
    assert basket.lines[0].serial == iccid(1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("NOPE;;;1", "line 2: nothing in the catalog has the SKU NOPE"),
        (f"SIM-STD;{iccid(3)[:-1]}0;262019999000003;", "line 2:"),
        (f"SIM-STD;{iccid(3)};;", "needs its IMSI"),
        (f"DEV-A15;{imei(IP15_TAC, 2)};;", r"IMEI \d{15} is a .*, not "),
        ("DEV-A15;;;", "give its IMEI"),
        ("ACC-CASE;;;many", "not a whole number"),
        ("ACC-CASE;;;0", "between 1 and"),
        (f"ACC-CASE;{iccid(4)};;", "counted by quantity"),
        ("PLAN-S;;;1", "not goods the store stocks"),
        (f"SIM-STD;{demo_iccid(1, 1)};262010000000001;", r"known \(in stock at this store\)"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    demo_services: Services, anna: UserInfo, row: str, message: str
) -> None:
    moves_before = _count(demo_services, m.StockMove)
    sims_before = _count(demo_services, m.SimCard)
    text = f"sku;serial;imsi;quantity\n{row}\nACC-CHG;;;5\n"
    with pytest.raises(ValidationError, match=message) as info:
        demo_services.stock.receive(text, reference="DN-1", user=anna)
    assert "nothing was received" in info.value.message
    assert _count(demo_services, m.StockMove) == moves_before
    assert _count(demo_services, m.SimCard) == sims_before
    assert demo_services.stock.line("ACC-CHG").in_stock == ACCESSORY_STOCK


def test_every_bad_row_is_named_and_duplicates_are_caught(
    demo_services: Services, anna: UserInfo
) -> None:
    lines = ["sku,serial,imsi,quantity"] + [f"SIM-STD,{iccid(9)},262019999000009,"] * 2
    lines += [f"SIM-STD,12345{n},," for n in range(30)]
    with pytest.raises(ValidationError) as info:
        demo_services.stock.receive("\n".join(lines), reference="DN-2", user=anna)
    text = info.value.message
    assert text.startswith("31 rows are wrong; nothing was received")
    assert f"line 3: {iccid(9)} is already on line 2" in text
    assert "… and 11 more" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("serial,imsi\n1,2\n", "missing: sku"),
        ("sku,serial,colour\nX,,red\n", "Unknown column 'colour'"),
        ("sku,serial,imsi,quantity\n\n", "no items"),
    ],
)
def test_malformed_files_are_refused(
    demo_services: Services, anna: UserInfo, text: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        demo_services.stock.receive(text, reference="DN-3", user=anna)


def test_a_reference_is_required(demo_services: Services, anna: UserInfo) -> None:
    with pytest.raises(ValidationError, match="delivery note"):
        demo_services.stock.receive("sku,serial\nACC-CASE,\n", reference=" ", user=anna)


def test_transfer_out_and_back_in(demo_services: Services, anna: UserInfo, maria: UserInfo) -> None:
    stock = demo_services.stock
    sim, phone = demo_iccid(1, 2), demo_imei(A15_TAC, 1)
    with pytest.raises(AccessDenied, match="manager"):
        stock.transfer_out(to_store="S002", serials=[sim], quantities={}, note="", user=anna)
    sent = stock.transfer_out(
        to_store="s002", serials=[sim, phone], quantities={"ACC-GLASS": "4"},
        note="weekend promotion", user=maria,
    )  # fmt: skip
    assert sent.to_store == "S002" and sent.number.startswith("TRF-")
    assert _status(demo_services, sim) == "transferred"
    assert stock.line("ACC-GLASS").in_stock == ACCESSORY_STOCK - 4
    assert f"SIM-STD,{sim},262010000000002," in sent.file_text
    assert "ACC-GLASS,,,4" in sent.file_text
    # A transferred SIM cannot be sold here.
    basket = demo_services.sales.start(customer_id=None, user=anna)
    with pytest.raises(ValidationError, match="transferred"):
        demo_services.sales.add_code(basket.order_id, sim, user=anna)
    # The same file, received back (as the other store would), restores the units.
    stock.receive(sent.file_text, reference=sent.number, from_store="S002", user=anna)
    assert _status(demo_services, sim) == "in_stock"
    assert stock.line("ACC-GLASS").in_stock == ACCESSORY_STOCK
    with pytest.raises(RuleViolation, match="already been received"):
        stock.receive(
            "sku,serial,imsi,quantity\nACC-GLASS,,,1\n", reference=sent.number,
            from_store="S002", user=anna,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("store", "serials", "quantities", "message"),
    [
        ("", [demo_iccid(1, 3)], {}, "receiving store"),
        ("S001", [demo_iccid(1, 3)], {}, "itself"),
        ("S002", [], {}, "Choose what to send"),
        ("S002", [demo_iccid(1, 3)] * 2, {}, "listed twice"),
        ("S002", [iccid(50)], {}, "not in this store's stock"),
        ("S002", [], {"ACC-CASE": "999"}, "Only 25 in stock"),
        ("S002", [], {"DEV-A15": "1"}, "sent by serial"),
    ],
)
def test_bad_transfers_change_nothing(
    demo_services: Services,
    maria: UserInfo,
    store: str,
    serials: list[str],
    quantities: dict[str, str],
    message: str,
) -> None:
    moves = _count(demo_services, m.StockMove)
    with pytest.raises((ValidationError, RuleViolation), match=message):
        demo_services.stock.transfer_out(
            to_store=store, serials=serials, quantities=quantities, note="", user=maria
        )
    assert _count(demo_services, m.StockMove) == moves
    assert _count(demo_services, m.StockTransfer) == 0
    assert _status(demo_services, demo_iccid(1, 3)) == "in_stock"


def test_adjustments_follow_the_unit_rules(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    stock = demo_services.stock
    phone = demo_imei(A15_TAC, 2)
    with pytest.raises(AccessDenied):
        stock.adjust_unit(phone, AdjustmentReason.DAMAGED, note="dropped", user=anna)
    with pytest.raises(ValidationError, match="Say what happened"):
        stock.adjust_unit(phone, AdjustmentReason.DAMAGED, note=" ", user=maria)
    with pytest.raises(RuleViolation, match="'Found again' cannot be recorded"):
        stock.adjust_unit(phone, AdjustmentReason.FOUND, note="x", user=maria)
    unit = stock.adjust_unit(phone, AdjustmentReason.DAMAGED, note="screen cracked", user=maria)
    assert unit.status == "damaged"
    basket = demo_services.sales.start(customer_id=None, user=anna)
    with pytest.raises(ValidationError, match="damaged"):
        demo_services.sales.add_code(basket.order_id, phone, user=anna)
    stock.adjust_unit(phone, AdjustmentReason.BACK_TO_STOCK, note="repaired", user=maria)
    assert _status(demo_services, phone) == "in_stock"
    move = stock.moves(limit=1)[0]
    assert (move.kind, move.reason) == ("adjustment", "Inspected, back to stock: repaired")


def test_counts_and_low_stock_warnings(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    stock = demo_services.stock
    assert not any(line.sku == "ACC-CHG" for line in stock.low_stock())
    with pytest.raises(ValidationError, match="whole number"):
        stock.count("ACC-CHG", "-1", note="count", user=maria)
    line = stock.count("ACC-CHG", "2", note="monthly count", user=maria)
    assert (line.in_stock, line.reorder_level, line.low) == (2, 3, True)
    assert "ACC-CHG" in {entry.sku for entry in stock.low_stock()}
    assert stock.moves(limit=1)[0].quantity == 2 - ACCESSORY_STOCK
    line = stock.set_reorder_level("ACC-CHG", "1", user=maria)
    assert not line.low
    assert stock.set_reorder_level("ACC-CHG", "", user=maria).reorder_level == 3
    with pytest.raises(RuleViolation, match="counted by serial"):
        stock.count("DEV-A15", "3", note="x", user=maria)
    # Selling more than the store holds is refused at the counter.
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    with pytest.raises(RuleViolation, match="only 2 in stock; the basket asks for 3"):
        sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    sales.pay_cash(basket.order_id, "100", user=anna)
    assert stock.line("ACC-CHG").in_stock == 0
    sale = stock.moves(limit=1)[0]
    assert (sale.kind, sale.quantity, sale.sku) == ("sale", -2, "ACC-CHG")


def test_a_sale_writes_its_unit_moves(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    sim = demo_iccid(1, 4)
    customer = demo_services.customers.search("C00000001")[0].id
    basket = sales.start(customer_id=customer, user=anna)
    sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    sales.add_code(basket.order_id, sim, user=anna)
    result = sales.pay_cash(basket.order_id, "50", user=anna)
    move = next(mv for mv in demo_services.stock.moves() if mv.serial == sim)
    assert (move.kind, move.quantity, move.status, move.reference) == (
        "sale", -1, "sold", result.number,
    )  # fmt: skip
    units = {u.serial: u.status for u in demo_services.stock.units("SIM-STD")}
    assert units[sim] == "sold"


def test_find_unit_by_serial_here_elsewhere_and_unknown(demo_services: Services) -> None:
    stock = demo_services.stock
    phone, sim = demo_imei(A15_TAC, 2), demo_iccid(1, 4)
    found = stock.find_unit(f" {phone} ")
    assert (found.serial, found.sku, found.status) == (phone, "DEV-A15", "in_stock")
    assert stock.find_unit(sim).sku == "SIM-STD" and stock.find_unit(sim).imsi
    with demo_services.engine.begin() as conn:  # as if the centre had moved it to S002
        conn.execute(
            m.SimCard.__table__.update().where(m.SimCard.iccid == sim).values(store_id="S002")
        )
    with pytest.raises(NotFound, match="another store"):
        stock.find_unit(sim)
    with pytest.raises(NotFound, match="not a SIM or device"):
        stock.find_unit(iccid(99))
