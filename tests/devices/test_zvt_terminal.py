"""The ZVT driver against the simulated terminal over a real pseudo-terminal pair (pyserial).

Deadlines are short (tenths of a second) so that the timeout cases stay quick; no test
passes or fails on how fast something happened, only on what happened.
"""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Callable, Iterator

import pytest

from devices.errors import (
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceProtocolError,
    DeviceTimeout,
)
from devices.zvt import messages
from devices.zvt.errors import (
    InDoubtOffline,
    InDoubtProtocolError,
    InDoubtTimeout,
    TransactionInDoubt,
)
from devices.zvt.framing import FrameLink
from devices.zvt.pty_port import PtyPort
from devices.zvt.results import Aborted, Approved, Declined
from devices.zvt.simulator import TerminalSimulator
from devices.zvt.terminal import Timeouts, ZvtTerminal

FAST = Timeouts(ack=0.3, answer=1.0, idle=1.0, total=15.0, byte=0.3)
FULL_PAN = "4761739001010010"  # a test card number, sent in clear to prove it is cut


@pytest.fixture
def sim() -> Iterator[TerminalSimulator]:
    if not hasattr(os, "openpty"):
        pytest.skip("the terminal simulator needs a POSIX pseudo-terminal")
    made = TerminalSimulator(card_number=FULL_PAN, ack_timeout=0.5).start()
    yield made
    made.stop()


@pytest.fixture
def terminal(sim: TerminalSimulator) -> Iterator[ZvtTerminal]:
    assert sim.port is not None
    with ZvtTerminal(sim.port, timeouts=FAST) as opened:
        yield opened


def test_an_approved_payment(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    shown: list[str] = []
    result = terminal.authorize(1250, on_status=shown.append)
    assert isinstance(result, Approved)
    assert shown == ["Insert card", "Enter PIN", "Please wait"]
    assert (result.amount_minor, result.receipt_no, result.trace_no) == (1250, 1, 1)
    assert (result.brand, result.terminal_id) == ("VISA", "52000123")
    assert result.auth_code is not None and len(result.auth_code) == 6
    assert "AMOUNT EUR 12,50" in result.receipt_lines
    assert "APPROVED  -  Danke schön" in result.receipt_lines
    # On the wire: the log-on, then exactly Portalum's layout of an authorisation.
    assert sim.commands == [
        bytes.fromhex("06 00 06 00 00 00 BE 09 78"),
        bytes.fromhex("06 01 07 04 00 00 00 00 12 50"),
    ]


def test_the_card_number_is_never_more_than_bin_and_last_four(terminal: ZvtTerminal) -> None:
    result = terminal.authorize(990)
    assert isinstance(result, Approved)
    assert result.masked_pan == "476173******0010"
    everything = repr(result) + repr(terminal.last_result())
    assert FULL_PAN not in everything
    assert "739001" not in everything


@pytest.mark.parametrize(
    ("code", "words"), [(0x05, "Declined by the card issuer"), (0x64, "Card not readable")]
)
def test_a_declined_payment(
    sim: TerminalSimulator, terminal: ZvtTerminal, code: int, words: str
) -> None:
    sim.queue(f"decline:{code:#x}")
    result = terminal.authorize(1250)
    assert isinstance(result, Declined)
    assert result.result_code == code
    assert words in result.message
    assert "DECLINED" in result.receipt_lines


def test_the_customer_cancels(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    sim.queue("abort")
    result = terminal.authorize(1250)
    assert isinstance(result, Aborted)
    assert result.result_code == 0x6C
    assert "Cancelled" in result.message


def test_the_till_cancels_while_the_customer_is_slow(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    sim.queue("slow:30")
    started = time.monotonic()
    result = terminal.authorize(1250, on_status=lambda text: terminal.abort())
    assert isinstance(result, Aborted)
    assert time.monotonic() - started < 25  # it did not wait for the slow customer
    assert terminal.abort() is False  # nothing runs any more


def test_a_second_request_while_one_runs_is_busy(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    sim.queue("slow:30")
    started = threading.Event()
    results: list[object] = []

    def pay() -> None:
        results.append(terminal.authorize(1250, on_status=lambda text: started.set()))

    worker = threading.Thread(target=pay)
    worker.start()
    assert started.wait(5)
    with pytest.raises(DeviceBusy, match="still busy"):
        terminal.authorize(500)
    assert terminal.abort() is True
    worker.join(10)
    assert isinstance(results[0], Aborted)


def test_a_terminal_that_never_answers(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    terminal.register()
    sim.queue("timeout")
    with pytest.raises(InDoubtTimeout, match=r"no answer within 0\.3 s") as caught:
        terminal.authorize(1250)
    assert isinstance(caught.value, DeviceTimeout)
    assert caught.value.retryable is False
    assert str(caught.value).startswith("Card terminal: ")
    # The same line works for the next customer.
    assert isinstance(terminal.authorize(1300), Approved)


def test_a_terminal_that_falls_silent_mid_payment(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    sim.queue("stall")
    shown: list[str] = []
    with pytest.raises(InDoubtTimeout, match="no answer within 1 s — check the terminal"):
        terminal.authorize(1250, on_status=shown.append)
    assert shown == ["Insert card"]


def test_line_noise_before_every_frame(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    sim.queue("garbage")
    assert isinstance(terminal.authorize(1250), Approved)


def test_corrupt_frames_are_nacked_and_repeated(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    sim.queue("bad-crc")
    shown: list[str] = []
    result = terminal.authorize(1250, on_status=shown.append)
    assert isinstance(result, Approved)
    assert shown == ["Insert card", "Enter PIN", "Please wait"]


def test_the_command_is_repeated_after_naks(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    sim.queue("nak:2")
    assert isinstance(terminal.authorize(1250), Approved)


def test_a_nak_storm_is_a_protocol_error_not_a_doubt(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    terminal.register()
    sim.queue("nak:3")
    with pytest.raises(DeviceProtocolError, match="rejected 3 times") as caught:
        terminal.authorize(1250)
    assert not isinstance(caught.value, TransactionInDoubt)  # the terminal refused it


def test_the_line_breaks_before_the_result(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    sim.queue("disconnect")
    with pytest.raises(InDoubtOffline, match="check the cable") as caught:
        terminal.authorize(1250)
    assert isinstance(caught.value, DeviceOffline)


def test_the_line_breaks_after_the_result(sim: TerminalSimulator, terminal: ZvtTerminal) -> None:
    sim.queue("disconnect:after-result")
    result = terminal.authorize(1250)
    assert isinstance(result, Approved)  # the terminal had booked it; the receipt is lost
    assert result.receipt_lines == ()


def test_reversal_refund_and_end_of_day_agree(
    sim: TerminalSimulator, terminal: ZvtTerminal
) -> None:
    first = terminal.authorize(1250)
    second = terminal.authorize(3000)
    assert isinstance(first, Approved) and isinstance(second, Approved)
    reversed_ = terminal.reverse(first.receipt_no or 0)
    assert isinstance(reversed_, Approved) and reversed_.amount_minor == 1250
    again = terminal.reverse(first.receipt_no or 0)
    assert isinstance(again, Declined) and again.message == "Already reversed"
    unknown = terminal.reverse(99)
    assert isinstance(unknown, Declined) and unknown.result_code == 0xB5
    refund = terminal.refund(500)
    assert isinstance(refund, Approved) and refund.amount_minor == 500

    day = terminal.end_of_day()
    assert day.total_minor == 3000 - 500
    assert day.by_card == (messages.CardTotal("VISA", 1, 2500),)
    assert (day.receipt_from, day.receipt_to) == (1, 4)
    assert day.terminal_id == "52000123"
    assert "* * END OF DAY * *" in day.receipt_lines
    assert terminal.end_of_day().total_minor == 0  # a new batch


def test_last_result_repeats_the_last_transaction(terminal: ZvtTerminal) -> None:
    assert terminal.last_result() is None  # nothing booked yet
    paid = terminal.authorize(4200)
    assert isinstance(paid, Approved)
    again = terminal.last_result()
    assert isinstance(again, Approved)
    assert (again.amount_minor, again.receipt_no, again.trace_no, again.auth_code) == (
        paid.amount_minor,
        paid.receipt_no,
        paid.trace_no,
        paid.auth_code,
    )
    assert again.receipt_lines[0] == "* * COPY * *"


def test_status_enquiry(terminal: ZvtTerminal) -> None:
    status = terminal.status()
    assert (status.code, status.text, status.software) == (0, "Ready", "SIM-1.0")


def test_abort_without_a_running_payment_does_nothing(terminal: ZvtTerminal) -> None:
    assert terminal.abort() is False
    assert isinstance(terminal.authorize(100), Approved)


def test_a_missing_port_is_offline_and_not_in_doubt() -> None:
    missing = ZvtTerminal("/dev/no-such-terminal", timeouts=FAST)
    with missing, pytest.raises(DeviceOffline, match="cannot open /dev/no-such-terminal") as caught:
        missing.authorize(1250)
    assert not isinstance(caught.value, TransactionInDoubt)
    with ZvtTerminal("", timeouts=FAST) as unset, pytest.raises(DeviceOffline, match="no port"):
        unset.register()


def test_pyserial_loop_url_is_a_line_without_a_terminal() -> None:
    # loop:// echoes our own frame; nobody acknowledges it.
    echo = ZvtTerminal("loop://", timeouts=FAST)
    with echo, pytest.raises(DeviceTimeout, match=r"no answer within 0\.3 s") as caught:
        echo.register()
    assert not isinstance(caught.value, TransactionInDoubt)


def test_a_closed_terminal_refuses_work(sim: TerminalSimulator) -> None:
    assert sim.port is not None
    closed = ZvtTerminal(sim.port, timeouts=FAST)
    closed.close()
    with pytest.raises(DeviceOffline, match="closed"):
        closed.authorize(100)


def test_a_wrong_password_setting_fails_at_once() -> None:
    with pytest.raises(ValueError, match="six digits"):
        ZvtTerminal("loop://", password="1234")


# -- scripted terminals: exact transcripts for answers the simulator does not give ------------

ACK = bytes.fromhex("80 00 00")
LOGGED_ON = bytes.fromhex("06 0F 00")
Step = tuple[str, list[bytes]]  # the command expected, then our answers to it


class ScriptedTerminal:
    """A terminal on a pty that answers each command from a script and records the till."""

    def __init__(self, steps: list[Step]) -> None:
        self._master, slave = os.openpty()
        tty.setraw(slave)
        self._slave = slave
        self.port = os.ttyname(slave)
        self.heard: list[bytes] = []
        self._steps = steps
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        link = FrameLink(PtyPort(self._master), name="script", ack_timeout=1.0)
        try:
            for expected, answers in self._steps:
                command = link.receive(time.monotonic() + 5)
                assert command is not None and command.startswith(bytes.fromhex(expected))
                self.heard.append(command)
                for answer in answers:
                    link.send(answer)
                    if answer[0] not in (0x80, 0x84):  # the till acknowledges messages
                        reply = link.receive(time.monotonic() + 5)
                        assert reply is not None
                        self.heard.append(reply)
        except DeviceError:
            pass

    def close(self) -> None:
        self._thread.join(5)
        for fd in (self._master, self._slave):
            os.close(fd)


@pytest.fixture
def scripted() -> Iterator[Callable[[list[Step]], ScriptedTerminal]]:
    if not hasattr(os, "openpty"):
        pytest.skip("needs a POSIX pseudo-terminal")
    made: list[ScriptedTerminal] = []

    def make(steps: list[Step]) -> ScriptedTerminal:
        made.append(ScriptedTerminal([("06 00", [ACK, LOGGED_ON]), *steps]))
        return made[-1]

    yield make
    for script in made:
        script.close()


def test_an_unreadable_result_is_refused_and_in_doubt(
    scripted: Callable[[list[Step]], ScriptedTerminal],
) -> None:
    unreadable = bytes.fromhex("04 0F 04 27 00 99 01")  # field 99 has no known length
    script = scripted([("06 01", [ACK, unreadable, bytes.fromhex("06 1E 01 9A")])])
    terminal = ZvtTerminal(script.port, timeouts=FAST)
    with terminal, pytest.raises(InDoubtProtocolError, match="cannot be read"):
        terminal.authorize(1250)
    # The till answered the unreadable result negatively (84 9A 00), so that the terminal
    # reverses it, and acknowledged the abort.
    assert script.heard[-3:] == [
        bytes.fromhex("06 01 07 04 00 00 00 00 12 50"),
        bytes.fromhex("84 9A 00"),
        ACK,
    ]


def test_a_busy_terminal(scripted: Callable[[list[Step]], ScriptedTerminal]) -> None:
    script = scripted([("06 01", [bytes.fromhex("84 9C 00")])])
    terminal = ZvtTerminal(script.port, timeouts=FAST)
    with terminal, pytest.raises(DeviceBusy, match="busy") as caught:
        terminal.authorize(1250)
    assert not isinstance(caught.value, TransactionInDoubt)


def test_a_finish_without_a_result_is_in_doubt(
    scripted: Callable[[list[Step]], ScriptedTerminal],
) -> None:
    script = scripted([("06 01", [ACK, bytes.fromhex("06 0F 00")])])
    terminal = ZvtTerminal(script.port, timeouts=FAST)
    with terminal, pytest.raises(TransactionInDoubt, match="without a payment result"):
        terminal.authorize(1250)


def test_a_terminal_without_repeat_receipt_has_no_last_result(
    scripted: Callable[[list[Step]], ScriptedTerminal],
) -> None:
    script = scripted([("06 20", [bytes.fromhex("84 83 00")])])
    with ZvtTerminal(script.port, timeouts=FAST) as terminal:
        assert terminal.last_result() is None
    assert script.heard[-1] == bytes.fromhex("06 20 05 00 00 00 03 01")


def test_a_terminal_text_is_shown_when_the_status_code_says_nothing(
    scripted: Callable[[list[Step]], ScriptedTerminal],
) -> None:
    display = bytes.fromhex("04 FF 0E FF 06 0B 24 09 07 07") + b"Bitte.."
    approved = bytes.fromhex("04 0F 09 27 00 04 00 00 00 00 12 50")
    script = scripted([("06 01", [ACK, display, approved, bytes.fromhex("06 0F 00")])])
    shown: list[str] = []
    with ZvtTerminal(script.port, timeouts=FAST) as terminal:
        result = terminal.authorize(1250, on_status=shown.append)
    assert shown == ["Bitte.."]
    assert isinstance(result, Approved) and result.amount_minor == 1250
    # Every terminal message was acknowledged with 80 00 00, in order.
    assert script.heard[-3:] == [ACK, ACK, ACK]


def test_an_abort_refused_by_a_finishing_terminal_keeps_the_result(
    scripted: Callable[[list[Step]], ScriptedTerminal],
) -> None:
    approved = bytes.fromhex("04 0F 09 27 00 04 00 00 00 00 12 50")
    script = scripted(
        [
            ("06 01", [ACK, bytes.fromhex("04 FF 01 0A")]),
            ("06 B0", [bytes.fromhex("84 83 00"), approved, bytes.fromhex("06 0F 00")]),
        ]
    )
    terminal = ZvtTerminal(script.port, timeouts=FAST)
    with terminal:
        result = terminal.authorize(1250, on_status=lambda text: terminal.abort())
    assert isinstance(result, Approved) and result.amount_minor == 1250
    assert bytes.fromhex("06 B0 00") in script.heard
