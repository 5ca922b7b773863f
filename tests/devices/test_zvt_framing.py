"""ZVT serial framing at the byte level: CRC, DLE doubling, ACK/NAK, repeats and deadlines."""

from __future__ import annotations

import time
from collections import deque

import pytest
import serial

from devices.errors import DeviceOffline, DeviceProtocolError, DeviceTimeout
from devices.zvt.apdu import Apdu
from devices.zvt.framing import ACK, DLE, NAK, FrameLink, crc16, encode_frame

# Frames captured from real terminals, CRC included:
# - the positive acknowledgement, from the trace in shopundsell.de's "Diagnose für die
#   Kommunikation mit dem EC-Terminal" (2017);
# - a Completion with software version, from ecrterm's tests/test_parsing.py
#   (test_version_completion);
# - a centred print line "* *  Händlerbeleg  * *" (CP437 0x84 = ä), from the same trace.
KNOWN_FRAMES = [
    "10 02 80 00 00 10 03 F5 1F",
    "10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11",
    "10 02 06 D1 17 40 2A 20 2A 20 20 48 84 6E 64 6C 65 72 62 65 6C 65 67 20 20 2A 20 2A"
    " 10 03 1C 81",
]


class ScriptedPort:
    """A serial port whose other end answers each write with the next scripted bytes."""

    def __init__(self, incoming: bytes = b"", replies: list[bytes] | None = None) -> None:
        self.timeout: float | None = None
        self.written: list[bytes] = []
        self._inbox = bytearray(incoming)
        self._replies = deque(replies or [])

    @property
    def in_waiting(self) -> int:
        return len(self._inbox)

    def feed(self, data: bytes) -> None:
        self._inbox += data

    def write(self, data: bytes, /) -> int:
        self.written.append(bytes(data))
        if self._replies:
            self._inbox += self._replies.popleft()
        return len(data)

    def read(self, size: int = 1) -> bytes:
        if not self._inbox:
            time.sleep(self.timeout or 0)
            return b""
        out = bytes(self._inbox[:size])
        del self._inbox[:size]
        return out


class BrokenPort(ScriptedPort):
    def read(self, size: int = 1) -> bytes:
        raise serial.SerialException("device reports readiness to read but returned no data")


def link_for(port: ScriptedPort, **kwargs: float) -> FrameLink:
    return FrameLink(
        port, name="Card terminal", ack_timeout=kwargs.get("ack", 0.1), byte_timeout=0.1
    )


@pytest.mark.parametrize("frame", KNOWN_FRAMES)
def test_frames_of_real_terminals_are_encoded_byte_for_byte(frame: str) -> None:
    raw = bytes.fromhex(frame)
    apdu = raw[2:-4]
    assert encode_frame(apdu) == raw


def test_crc_is_the_reflected_ccitt_variant() -> None:
    # The CRC catalogue's check value of CRC-16/KERMIT: poly 0x1021 reflected, init 0.
    assert crc16(b"123456789") == 0x2189


def test_a_dle_in_the_data_is_doubled_and_counted_once_in_the_crc() -> None:
    apdu = bytes([0x06, 0xD1, 0x02, 0x00, DLE])
    frame = encode_frame(apdu)
    assert frame[2:-4] == bytes([0x06, 0xD1, 0x02, 0x00, DLE, DLE])
    crc = crc16(apdu + b"\x03")
    assert frame[-2:] == bytes([crc & 0xFF, crc >> 8])


def test_garbage_before_the_frame_is_skipped_and_the_frame_acknowledged() -> None:
    apdu = bytes([0x04, 0xFF, 0x01, 0x0A])
    port = ScriptedPort(b"\xff\x00\x10\x41noise\x06\x15\x03" + encode_frame(apdu))
    assert link_for(port).receive(time.monotonic() + 2) == apdu
    assert port.written == [bytes([ACK])]


def test_a_frame_with_a_dle_inside_comes_back_whole() -> None:
    apdu = bytes([0x06, 0xD1, 0x03, 0x00, DLE, 0x41])
    port = ScriptedPort(encode_frame(apdu))
    assert link_for(port).receive(time.monotonic() + 2) == apdu


def test_a_corrupt_frame_is_nacked_and_the_repeat_accepted() -> None:
    apdu = bytes([0x80, 0x00, 0x00])
    bad = bytearray(encode_frame(apdu))
    bad[-2] ^= 0x01
    port = ScriptedPort(bytes(bad), replies=[encode_frame(apdu)])
    assert link_for(port).receive(time.monotonic() + 2) == apdu
    assert port.written == [bytes([NAK]), bytes([ACK])]


def test_three_corrupt_copies_are_a_protocol_error() -> None:
    bad = bytearray(encode_frame(bytes([0x80, 0x00, 0x00])))
    bad[-1] ^= 0xFF
    port = ScriptedPort(bytes(bad), replies=[bytes(bad), bytes(bad)])
    with pytest.raises(DeviceProtocolError, match="garbled three times"):
        link_for(port).receive(time.monotonic() + 2)
    assert port.written == [bytes([NAK])] * 3


def test_a_frame_broken_off_is_nacked() -> None:
    apdu = bytes([0x80, 0x00, 0x00])
    port = ScriptedPort(encode_frame(apdu)[:4], replies=[encode_frame(apdu)])
    assert link_for(port).receive(time.monotonic() + 2) == apdu
    assert port.written[0] == bytes([NAK])


def test_a_new_start_inside_a_frame_starts_the_frame_again() -> None:
    apdu = bytes([0x06, 0x0F, 0x00])
    port = ScriptedPort(b"\x10\x02\x04\xff" + encode_frame(apdu))
    assert link_for(port).receive(time.monotonic() + 2) == apdu


def test_nothing_before_the_deadline_is_a_timeout() -> None:
    with pytest.raises(DeviceTimeout):
        link_for(ScriptedPort()).receive(time.monotonic() + 0.2)


def test_an_interrupt_between_frames_returns_none() -> None:
    assert link_for(ScriptedPort()).receive(time.monotonic() + 5, interrupt=lambda: True) is None


def test_a_failing_port_is_offline() -> None:
    with pytest.raises(DeviceOffline, match="connection was lost"):
        link_for(BrokenPort()).receive(time.monotonic() + 1)


def test_send_repeats_after_nak_until_ack() -> None:
    port = ScriptedPort(replies=[bytes([NAK]), bytes([NAK]), bytes([ACK])])
    link_for(port).send(bytes([0x06, 0x01, 0x00]))
    assert port.written == [encode_frame(bytes([0x06, 0x01, 0x00]))] * 3


def test_send_gives_up_after_three_naks() -> None:
    port = ScriptedPort(replies=[bytes([NAK])] * 5)
    with pytest.raises(DeviceProtocolError, match="rejected 3 times"):
        link_for(port).send(bytes([0x06, 0x01, 0x00]))
    assert len(port.written) == 3


def test_send_without_any_answer_times_out_after_three_tries() -> None:
    port = ScriptedPort()
    with pytest.raises(DeviceTimeout, match=r"no answer within 0\.05 s"):
        link_for(port, ack=0.05).send(bytes([0x06, 0x01, 0x00]))
    assert len(port.written) == 3


def test_a_frame_crossing_ours_is_not_taken_for_the_answer() -> None:
    # The terminal's own frame holds a 06 byte; the real answer after it is a NAK, so the
    # frame must be sent again.
    theirs = encode_frame(bytes([0x04, 0xFF, 0x03, 0x0A, 0x06, 0x00]))
    port = ScriptedPort(replies=[theirs + bytes([NAK]), bytes([ACK])])
    link_for(port).send(bytes([0x06, 0xB0, 0x00]))
    assert len(port.written) == 2


def test_pyserial_loop_url_carries_a_frame() -> None:
    port = serial.serial_for_url("loop://", timeout=0.05)
    try:
        apdu = Apdu(0x04, 0x0F, bytes([0x27, 0x00])).encode()
        port.write(b"\x00\x15" + encode_frame(apdu))
        link = FrameLink(port, name="Card terminal", ack_timeout=0.1)
        assert link.receive(time.monotonic() + 2) == apdu
        assert port.read(1) == bytes([ACK])  # our acknowledgement, looped back
    finally:
        port.close()


def test_apdu_extended_length_is_ff_and_two_bytes_little_endian() -> None:
    apdu = Apdu(0x06, 0xD3, bytes(300))
    raw = apdu.encode()
    assert raw[:5] == bytes([0x06, 0xD3, 0xFF, 0x2C, 0x01])
    assert Apdu.decode(raw) == apdu
    assert Apdu(0x06, 0xD1, bytes(254)).encode()[2] == 254


@pytest.mark.parametrize("raw", ["06", "06 D1 05 00", "06 D1 FF 01", "06 D1 01 00 00"])
def test_apdu_with_a_wrong_length_is_refused(raw: str) -> None:
    with pytest.raises(DeviceProtocolError):
        Apdu.decode(bytes.fromhex(raw))


def test_apdu_repr_and_str_leave_the_data_out() -> None:
    apdu = Apdu(0x04, 0x0F, bytes.fromhex("22F0F84761739001010010"))  # a card number
    assert "data" not in repr(apdu) and "\\x90" not in repr(apdu)
    assert str(apdu) == "APDU 04 0F (11 bytes)"
