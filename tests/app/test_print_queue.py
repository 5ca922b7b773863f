"""The print queue on a real SQLite file, printing through the app's DeviceManager to the
printer simulator: failures stay queued with their error, copies say COPY, restarts lose
nothing, and no printer problem touches the sale."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from app.bootstrap import Services
from app.db import models as m
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.db.print_records import PrintJobRecord
from app.db.uow import UnitOfWork, make_uow_factory
from app.device_manager import DeviceManager, PrinterConfig
from app.services.print_queue import PrintQueue, doc_from_json, doc_to_json
from devices.printer.base import ReceiptDoc, ReceiptLine
from devices.printer.sim_server import PrinterSimulator

DOC = ReceiptDoc(
    lines=(
        ReceiptLine("StoreDesk", align="center", bold=True, double=True),
        ReceiptLine("SIM-карта «Мега»          9.99 EUR"),
        ReceiptLine("TOTAL                     9.99 EUR", bold=True),
    ),
    barcode="RCP-S001-T01-000007",
)


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator(idle=0.2) as simulator:
        yield simulator


@pytest.fixture
def devices(sim: PrinterSimulator) -> Iterator[DeviceManager]:
    manager = DeviceManager(PrinterConfig("network", sim.address, "TM-T20II", 80))
    yield manager
    manager.close()


def _open(path: Path) -> tuple[Engine, Callable[..., UnitOfWork]]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine, make_uow_factory(engine, store_id="S001", terminal_id="T01")


@pytest.fixture
def uow(tmp_path: Path) -> Iterator[Callable[..., UnitOfWork]]:
    engine, factory = _open(tmp_path / "queue.sqlite3")
    yield factory
    engine.dispose()


def test_a_failed_print_stays_queued_with_its_error_and_prints_on_retry(
    uow: Callable[..., UnitOfWork], devices: DeviceManager, sim: PrinterSimulator
) -> None:
    queue = PrintQueue(uow, devices)
    sim.fault = "offline"
    job = queue.submit("receipt", "RCP-S001-T01-000007", DOC)
    assert job.status == "failed" and job.attempts == 1
    assert "cannot be reached" in job.last_error
    assert [(j.id, j.last_error) for j in queue.outstanding()] == [(job.id, job.last_error)]

    sim.fault = "none"
    printed = queue.retry(job.id)
    assert printed.status == "printed" and printed.attempts == 2 and printed.last_error == ""
    assert printed.printed_at is not None
    assert queue.outstanding() == []
    [paper] = sim.wait_for_jobs(1)
    assert "SIM-карта «Мега»          9.99 EUR" in paper.text.splitlines()
    assert paper.qr_codes == ["RCP-S001-T01-000007"]
    assert queue.retry(job.id).attempts == 2  # printed: not printed again
    assert len(sim.jobs) == 1


def test_paper_out_fails_the_job_and_retry_all_prints_it_once_paper_is_back(
    uow: Callable[..., UnitOfWork], devices: DeviceManager, sim: PrinterSimulator
) -> None:
    queue = PrintQueue(uow, devices)
    sim.fault = "paper_out"
    job = queue.submit("receipt", "R1", DOC)
    assert job.status == "failed" and "out of paper" in job.last_error
    sim.fault = "none"
    [done] = queue.retry_all()
    assert (done.id, done.status) == (job.id, "printed")
    assert len(sim.wait_for_jobs(1)) == 1


def test_retry_all_stops_at_the_first_failure(
    uow: Callable[..., UnitOfWork], devices: DeviceManager, sim: PrinterSimulator
) -> None:
    queue = PrintQueue(uow, devices)
    jobs = [queue.enqueue("receipt", f"R{n}", DOC) for n in range(3)]
    sim.fault = "offline"
    [tried] = queue.retry_all()
    assert tried.id == jobs[0].id and tried.status == "failed"
    assert [j.id for j in queue.outstanding()] == [j.id for j in jobs]
    sim.fault = "none"
    assert [j.status for j in queue.retry_all()] == ["printed"] * 3
    assert len(sim.wait_for_jobs(3)) == 3


def test_a_reprint_is_a_new_job_marked_copy(
    uow: Callable[..., UnitOfWork], devices: DeviceManager, sim: PrinterSimulator
) -> None:
    queue = PrintQueue(uow, devices)
    original = queue.submit("receipt", "R7", DOC)
    copy = queue.reprint(original.id)
    assert copy.id != original.id and copy.copy and copy.status == "printed"
    assert [(j.id, j.copy) for j in queue.for_reference("R7")] == [
        (original.id, False),
        (copy.id, True),
    ]
    first, second = sim.wait_for_jobs(2)
    assert first.text.splitlines()[0] == "StoreDesk"
    assert second.text.splitlines()[:2] == ["COPY", "StoreDesk"]
    assert second.lines[0].width == 2  # the banner prints big


def test_the_queue_survives_reopening_the_database(
    tmp_path: Path, devices: DeviceManager, sim: PrinterSimulator
) -> None:
    path = tmp_path / "queue.sqlite3"
    engine, factory = _open(path)
    sim.fault = "paper_out"
    job = PrintQueue(factory, devices).submit("receipt", "R9", DOC)
    engine.dispose()
    assert job.status == "failed" and "out of paper" in job.last_error

    sim.fault = "none"
    engine, factory = _open(path)
    queue = PrintQueue(factory, devices)
    [waiting] = queue.outstanding()
    assert (waiting.id, waiting.reference, waiting.last_error) == (job.id, "R9", job.last_error)
    assert [j.status for j in queue.retry_all()] == ["printed"]
    engine.dispose()
    assert sim.wait_for_jobs(1)[0].qr_codes == ["RCP-S001-T01-000007"]


def test_mark_printed_and_skip_take_jobs_off_the_queue_without_printing(
    uow: Callable[..., UnitOfWork], devices: DeviceManager, sim: PrinterSimulator
) -> None:
    queue = PrintQueue(uow, devices)
    came_out = queue.enqueue("receipt", "R1", DOC)
    unwanted = queue.enqueue("receipt", "R2", DOC)
    assert queue.mark_printed(came_out.id).status == "printed"
    assert queue.skip(unwanted.id).status == "skipped"
    assert queue.outstanding() == []
    assert queue.print_job(unwanted.id).status == "skipped"
    assert sim.jobs == []


def test_an_unreadable_saved_document_fails_the_job_instead_of_crashing(
    uow: Callable[..., UnitOfWork], devices: DeviceManager
) -> None:
    queue = PrintQueue(uow, devices)
    job = queue.enqueue("receipt", "R1", DOC)
    with uow() as work:
        work.session.execute(
            update(PrintJobRecord).where(PrintJobRecord.id == job.id).values(document={"x": 1})
        )
        work.commit()
    failed = queue.print_job(job.id)
    assert failed.status == "failed" and "unreadable" in failed.last_error


def test_documents_round_trip_through_json() -> None:
    copy = ReceiptDoc(lines=(ReceiptLine("x", align="right"),), cut=False, copy_banner="COPY")
    for doc in (DOC, copy):
        assert doc_from_json(doc_to_json(doc)) == doc
    with pytest.raises(ValueError, match="alignment"):
        doc_from_json({"format": 1, "lines": [{"text": "a", "align": "middle"}]})


def test_a_printer_failure_never_undoes_the_sale(demo_services: Services, tmp_path: Path) -> None:
    services = demo_services
    user = services.auth.login("anna", "1111")
    customer = services.customers.search("C00000004")[0].id
    basket = services.sales.start(customer_id=customer, user=user)
    services.sales.add_code(basket.order_id, "ACC-CHG", user=user)
    sale = services.sales.pay_cash(basket.order_id, "100", user=user)
    receipt = services.receipts.for_order(basket.order_id)
    offline = DeviceManager(PrinterConfig("network", "127.0.0.1:9", "TM-T20II", 80))
    factory = make_uow_factory(services.engine, store_id="S001", terminal_id="T01")
    job = PrintQueue(factory, offline).submit("receipt", sale.receipt_number, receipt.doc)
    offline.close()
    assert job.status == "failed"
    with services.engine.connect() as conn:
        order = conn.execute(
            select(m.Order.status, m.Order.receipt_number).where(m.Order.id == basket.order_id)
        ).one()
    assert tuple(order) == ("completed", sale.receipt_number)
