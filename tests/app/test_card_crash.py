"""A till process killed in the middle of a card payment: the next start settles it.

A child process takes a card payment against the simulated terminal (a real pty) and is
killed with SIGKILL while the terminal works — once before the terminal booked the
payment, once after. The test process then builds StoreDesk anew on the same files and
runs the recovery: the outcome must agree with what the terminal booked, and the
customer is never charged twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import Services, build
from app.card_terminal import ZvtCardTerminal
from app.db import models as m
from app.paths import AppPaths
from app.services.card_payments import CardPayments
from app.services.tendering import CardOutcome
from app.settings import Settings
from devices.zvt.simulator import TerminalSimulator
from devices.zvt.terminal import Timeouts, ZvtTerminal
from domain.card import CardSlip
from domain.payment_intent import IntentStatus

ROOT = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent(
    """
    import sys, uuid
    from pathlib import Path
    from app.bootstrap import build
    from app.card_terminal import ZvtCardTerminal
    from app.paths import AppPaths
    from app.services.card_payments import CardPayments
    from app.settings import load_settings
    from devices.zvt.terminal import ZvtTerminal

    home, port, order_id = sys.argv[1], sys.argv[2], uuid.UUID(sys.argv[3])
    paths = AppPaths.under(Path(home))
    settings = load_settings(paths, env={}, cli={"printer.kind": "simulated"}).settings
    services = build(settings, paths)
    user = services.auth.login("anna", "1111")
    terminal = ZvtCardTerminal(ZvtTerminal(port))
    print("paying", flush=True)
    CardPayments(services.sales, lambda: terminal).pay(order_id, "", user=user)
    print("paid", flush=True)
    """
)


@pytest.fixture
def simulator_log() -> list[str]:
    """What the simulated terminal did, line by line (its display and its give-ups)."""
    return []


@pytest.fixture
def simulator(simulator_log: list[str]) -> Iterator[TerminalSimulator]:
    sim = TerminalSimulator(outcome="slow:0.6", ack_timeout=0.3, log=simulator_log.append).start()
    yield sim
    sim.stop()


def _wait(condition: object, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("kill_when", ["before_booking", "after_booking"])
def test_a_killed_till_settles_the_card_payment_at_the_next_start(
    demo_services: Services,
    settings: Settings,
    paths: AppPaths,
    simulator: TerminalSimulator,
    simulator_log: list[str],
    tmp_path: Path,
    kill_when: str,
) -> None:
    anna = demo_services.auth.login("anna", "1111")
    basket = demo_services.sales.start(customer_id=None, user=anna)
    demo_services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    demo_services.close()
    if kill_when == "before_booking":
        # The customer is slow at the terminal (three steps of 1.5 s before it books), so
        # the kill lands before the booking even on a busy machine.
        simulator.queue("slow:1.5")
    else:
        # The terminal tells the till 1.5 s after booking, so the kill lands in between
        # even on a busy machine (the till never hears of the payment it took).
        simulator.booked_pause = 1.5

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "home"), simulator.port or "",
         str(basket.order_id)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        if kill_when == "before_booking":
            _wait(lambda: any(c[:2] == b"\x06\x01" for c in simulator.commands), 30,
                  "the authorization to reach the terminal")  # fmt: skip
            assert not simulator.bookings
        else:
            _wait(lambda: simulator.bookings, 30, "the terminal to book the payment")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    except AssertionError:
        child.kill()
        output = child.communicate(timeout=10)[0].decode(errors="replace")
        raise AssertionError(f"the paying process said:\n{output}") from None
    finally:
        if child.poll() is None:
            child.kill()
    if kill_when == "before_booking":
        # Its next message goes unanswered: the terminal gives up the payment, unbooked,
        # before the restarted till connects (a till there would answer and let it book).
        _wait(lambda: any(line.startswith("gave up") for line in simulator_log), 30,
              "the terminal to give up on the dead till")  # fmt: skip
    else:
        # The terminal ends its pause, gets no answer from the dead till and is idle again.
        time.sleep(simulator.booked_pause + 1.5)
    again = build(settings, paths)
    terminal = ZvtCardTerminal(
        ZvtTerminal(simulator.port or "", timeouts=Timeouts(ack=1, answer=5, idle=5, total=20))
    )
    try:
        pending = again.sales.unresolved_intents()
        assert [p.status for p in pending] == ["pending"]  # written before the terminal was asked
        unclear = CardPayments(again.sales, lambda: terminal).recover(user=anna)
        with again.engine.connect() as conn:
            order = conn.execute(select(m.Order).where(m.Order.id == basket.order_id)).one()
            intent = conn.execute(select(m.PaymentIntent)).one()
            card_payments = conn.execute(select(m.Payment).where(m.Payment.tender == "card")).all()
        booked = [b for b in simulator.bookings if b.kind == "payment"]
        assert bool(booked) == (kill_when == "after_booking")
        if booked:  # the customer was charged: the sale is paid, exactly once
            assert unclear == 0 and intent.status == "approved"
            assert order.status == "completed" and len(card_payments) == 1
            assert card_payments[0].amount_minor == booked[0].amount_minor == 1499
        else:  # nothing booked: never paid; the terminal cannot tell, so the manager checks
            assert card_payments == [] and order.status != "completed"
            assert intent.status == "needs_check" and unclear == 1
    finally:
        terminal.close()
        again.close()


def test_the_recovery_never_charges_twice(demo_services: Services) -> None:
    """Recovering twice (two starts in a row) changes nothing the second time."""
    anna = demo_services.auth.login("anna", "1111")
    basket = demo_services.sales.start(customer_id=None, user=anna)
    demo_services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    request = demo_services.sales.begin_card(basket.order_id, user=anna)
    assert request.intent_id == demo_services.sales.unresolved_intents()[0].id
    approved = CardOutcome(IntentStatus.APPROVED, CardSlip(auth_code="1"), amount_minor=1499)
    assert demo_services.sales.recover_intents(lambda: approved, user=anna) == []
    assert demo_services.sales.recover_intents(lambda: approved, user=anna) == []
    with demo_services.engine.connect() as conn:
        assert len(conn.execute(select(m.Payment)).all()) == 1
