"""Properties of the ZVT layers: what is encoded decodes back, and bytes off the line fail typed.

Round trips: frames (DLE doubling, CRC), APDUs (short and extended length), BMP fields (BCD
numbers, amount, trace and receipt numbers, LLVAR/LLLVAR, BER lengths, TLV items) and a
Status-Information built from fields. Robustness: whatever bytes arrive — on the line, as
an APDU, as a Status-Information, as BMP fields or TLV — the readers end in a
:class:`~devices.errors.DeviceError` subclass or a result, never in another exception,
which would escape the driver's handling of a payment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from devices.errors import DeviceError, DeviceProtocolError
from devices.zvt import bmp, commands, messages
from devices.zvt.apdu import MAX_DATA, Apdu
from devices.zvt.framing import ACK, DLE, ETX, NAK, STX, FrameLink, encode_frame

T = TypeVar("T")
MANY = settings(max_examples=200, deadline=None)
FEW = settings(max_examples=60, deadline=None)  # the examples with long data

SPECIAL = (DLE, STX, ETX, ACK, NAK, 0x00, 0xFF)  # the bytes framing and lengths look at
# Random bytes rarely hold these; mapping a share of the byte values onto them makes DLE
# runs, DLE STX and DLE ETX inside the data common (half the bytes, or all of them).
SOME_SPECIAL = bytes(SPECIAL[b % len(SPECIAL)] if b < 0x80 else b for b in range(256))
ALL_SPECIAL = bytes(SPECIAL[b % len(SPECIAL)] for b in range(256))


def with_specials(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        data,
        data.map(lambda b: b.translate(SOME_SPECIAL)),
        data.map(lambda b: b.translate(ALL_SPECIAL)),
    )


payload = with_specials(st.binary(max_size=300))
long_payload = with_specials(st.binary(min_size=250, max_size=700))
noise = st.binary(max_size=40).map(lambda b: b.replace(bytes([DLE]), b""))


class MemoryPort:
    """A serial port holding the bytes the other side sent; reads never wait."""

    def __init__(self, incoming: bytes) -> None:
        self.timeout: float | None = None
        self.inbox = bytearray(incoming)
        self.written: list[bytes] = []

    @property
    def in_waiting(self) -> int:
        return len(self.inbox)

    def drained(self) -> bool:
        return not self.inbox

    def read(self, size: int = 1) -> bytes:
        out = bytes(self.inbox[:size])
        del self.inbox[:size]
        return out

    def write(self, data: bytes, /) -> int:
        self.written.append(bytes(data))
        return len(data)


def link_over(data: bytes) -> tuple[FrameLink, MemoryPort]:
    """A link reading ``data``; with no time to wait, the end of the data ends each read."""
    port = MemoryPort(data)
    return FrameLink(port, name="Card terminal", ack_timeout=0.0, byte_timeout=0.0), port


def frames_in(data: bytes) -> list[tuple[bytes, bool]]:
    link, port = link_over(data)
    frames = []
    while (frame := link.read_frame(time.monotonic() + 5, interrupt=port.drained)) is not None:
        frames.append(frame)
        assert len(frames) <= len(data)
    return frames


def tolerated(read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``read(*args)``'s result, or None after a device error; anything else propagates."""
    try:
        return read(*args, **kwargs)
    except DeviceError:
        return None


# -- frames -----------------------------------------------------------------------------------


@MANY
@given(st.lists(payload, max_size=4), noise)
def test_frames_come_back_whole_after_line_noise(apdus: list[bytes], before: bytes) -> None:
    stream = before + b"".join(encode_frame(a) for a in apdus)
    assert frames_in(stream) == [(a, True) for a in apdus]


@FEW
@given(long_payload)
def test_long_frames_come_back_whole(apdu: bytes) -> None:
    assert frames_in(encode_frame(apdu)) == [(apdu, True)]


@MANY
@given(payload)
def test_a_frame_has_no_lone_dle_and_one_end_mark(apdu: bytes) -> None:
    frame = encode_frame(apdu)
    body = frame[2:-4]
    assert frame[:2] == bytes([DLE, STX]) and frame[-4:-2] == bytes([DLE, ETX])
    assert len(body) == len(apdu) + apdu.count(DLE)
    assert bytes([DLE]) not in body.replace(bytes([DLE, DLE]), b"")


@MANY
@given(payload, st.integers(1, 255), st.booleans())
def test_a_wrong_crc_is_seen_and_the_next_frame_still_read(
    apdu: bytes, flip: int, high: bool
) -> None:
    bad = bytearray(encode_frame(apdu))
    bad[-1 if high else -2] ^= flip
    follower = bytes([0x80, 0x00, 0x00])
    assert frames_in(bytes(bad) + encode_frame(follower)) == [(apdu, False), (follower, True)]


@MANY
@given(st.binary(min_size=1, max_size=300), st.data())
def test_a_changed_data_byte_fails_the_crc(apdu: bytes, data: st.DataObject) -> None:
    plain = [i for i, b in enumerate(apdu) if b != DLE]
    if not plain:
        return
    index = data.draw(st.sampled_from(plain), label="index")
    other = data.draw(st.integers(0, 255).filter(lambda b: b not in (DLE, apdu[index])))
    frame = bytearray(encode_frame(apdu))
    frame[2 + index + apdu[:index].count(DLE)] = other
    [(read, ok)] = frames_in(bytes(frame))
    assert read != apdu and not ok


@MANY
@given(payload)
def test_receive_acknowledges_a_good_frame(apdu: bytes) -> None:
    link, port = link_over(encode_frame(apdu))
    assert link.receive(time.monotonic() + 5, interrupt=port.drained) == apdu
    assert port.written == [bytes([ACK])]


# -- APDUs ------------------------------------------------------------------------------------


@MANY
@given(st.integers(0, 255), st.integers(0, 255), st.one_of(payload, long_payload))
@example(0x06, 0xD3, bytes(254))
@example(0x06, 0xD3, bytes(255))
@example(0x06, 0xD3, bytes(MAX_DATA))
def test_an_apdu_decodes_to_itself(cls: int, ins: int, data: bytes) -> None:
    apdu = Apdu(cls, ins, data)
    raw = apdu.encode()
    assert Apdu.decode(raw) == apdu
    if len(data) < 0xFF:
        assert raw[:3] == bytes([cls, ins, len(data)])
    else:  # FF, then the length in two bytes, low byte first
        assert raw[:5] == bytes([cls, ins, 0xFF, len(data) & 0xFF, len(data) >> 8])
    assert raw.endswith(data)


@FEW
@given(st.integers(0, 255), st.integers(0, 255), st.one_of(payload, long_payload))
def test_an_apdu_goes_through_a_frame_and_back(cls: int, ins: int, data: bytes) -> None:
    apdu = Apdu(cls, ins, data)
    [(raw, ok)] = frames_in(encode_frame(apdu.encode()))
    assert ok and Apdu.decode(raw) == apdu


def test_data_beyond_the_two_byte_length_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        Apdu(0x06, 0xD3, bytes(MAX_DATA + 1))


# -- BMP fields -------------------------------------------------------------------------------


def sized(
    sizes: st.SearchStrategy[int], numbers: Callable[[int], st.SearchStrategy[int]]
) -> st.SearchStrategy[tuple[int, int]]:
    """(size, number) pairs, the number drawn for the size."""
    return sizes.flatmap(lambda size: st.tuples(st.just(size), numbers(size)))


bcd_fits = sized(st.integers(1, 6), lambda size: st.integers(0, 10 ** (2 * size) - 1))
bcd_too_long = sized(st.integers(1, 6), lambda size: st.integers(10 ** (2 * size), 10**14))
prefix_fits = sized(st.integers(2, 3), lambda digits: st.integers(0, 10**digits - 1))
prefix_too_long = sized(st.integers(2, 3), lambda digits: st.integers(10**digits, 10**4))


@MANY
@given(bcd_fits)
def test_bcd_numbers_come_back(pair: tuple[int, int]) -> None:
    size, number = pair
    packed = bmp.bcd(number, size)
    assert len(packed) == size
    assert bmp.bcd_digits(packed) == str(number).rjust(2 * size, "0")
    assert bmp.bcd_int(packed) == number
    assert bmp.bcd(str(number), size) == packed


@MANY
@given(bcd_too_long)
def test_a_number_too_long_for_its_bcd_field_is_refused(pair: tuple[int, int]) -> None:
    size, number = pair
    with pytest.raises(ValueError, match="does not fit"):
        bmp.bcd(number, size)


@MANY
@given(st.integers(0, 999_999_999_999))
def test_an_amount_field_comes_back(amount: int) -> None:
    [(tag, value)] = bmp.read_fields(bmp.amount_field(amount))
    assert tag == 0x04 and bmp.bcd_int(value) == amount
    paid = max(amount, 1)  # a payment is of a positive amount
    command = Apdu.decode(commands.authorization(paid).encode())
    assert command.command == (0x06, 0x01)
    assert dict(bmp.read_fields(command.data))[0x04] == bmp.bcd(paid, 6)


@MANY
@given(st.integers(0, 999_999), st.integers(0, 9999), st.integers(0, 999_999))
def test_trace_receipt_and_turnover_numbers_come_back(
    trace: int, receipt: int, turnover: int
) -> None:
    data = (
        bmp.field(0x0B, bmp.bcd(trace, 3))
        + bmp.field(0x87, bmp.bcd(receipt, 2))
        + bmp.field(0x88, bmp.bcd(turnover, 3))
    )
    fields = bmp.read_fields(data)
    assert [tag for tag, _ in fields] == [0x0B, 0x87, 0x88]
    assert [bmp.bcd_int(value) for _, value in fields] == [trace, receipt, turnover]


@MANY
@given(prefix_fits)
def test_variable_length_prefixes_come_back(pair: tuple[int, int]) -> None:
    digits, size = pair
    prefix = bmp.var_prefix(size, digits)
    assert len(prefix) == digits and all(b >> 4 == 0xF for b in prefix)
    assert bmp.var_length(prefix) == size


@MANY
@given(prefix_too_long)
def test_a_size_too_big_for_its_prefix_is_refused(pair: tuple[int, int]) -> None:
    digits, size = pair
    with pytest.raises(ValueError, match="do not fit"):
        bmp.var_prefix(size, digits)


@MANY
@given(st.integers(0, 0xFFFF), st.binary(max_size=3))
def test_ber_lengths_come_back(size: int, after: bytes) -> None:
    encoded = bmp.ber_length_bytes(size)
    assert bmp.ber_length(b"\x06" + encoded + after, 1) == (size, len(encoded))


def field_value(tag: int) -> st.SearchStrategy[bytes]:
    kind = bmp.FIELDS[tag]
    if kind == bmp.LL:
        return st.binary(max_size=99)
    if kind == bmp.LLL:
        return st.one_of(st.binary(max_size=120), st.binary(min_size=900, max_size=999))
    if kind == bmp.TLV:
        return st.one_of(st.binary(max_size=200), st.binary(min_size=250, max_size=600))
    return st.binary(min_size=kind, max_size=kind)


any_field = st.sampled_from(sorted(bmp.FIELDS)).flatmap(
    lambda tag: st.tuples(st.just(tag), field_value(tag))
)


@MANY
@given(st.lists(any_field, max_size=8))
def test_fields_come_back_in_order(fields: list[tuple[int, bytes]]) -> None:
    data = b"".join(bmp.field(tag, value) for tag, value in fields)
    assert bmp.read_fields(data) == fields
    assert bmp.read_fields(b"\x06\x01\x00" + data, 3) == fields  # after a password


@MANY
@given(st.sampled_from(sorted(t for t, k in bmp.FIELDS.items() if k > 0)), st.binary(max_size=8))
def test_a_fixed_field_of_the_wrong_size_is_refused(tag: int, value: bytes) -> None:
    if len(value) == bmp.FIELDS[tag]:
        return
    with pytest.raises(ValueError, match="takes"):
        bmp.field(tag, value)


primitive_tag = st.one_of(
    st.integers(0, 0xFF).filter(lambda t: not t & 0x20 and t & 0x1F != 0x1F),
    st.integers(0, 0x7F).map(lambda low: 0x1F00 | low),  # two-byte tags such as 1F07
)


tlv_items = st.lists(st.tuples(primitive_tag, st.binary(max_size=300)), max_size=6)


@MANY
@given(tlv_items, st.integers(0, 0x1E))
def test_tlv_items_come_back_with_constructed_ones_first(
    items: list[tuple[int, bytes]], number: int
) -> None:
    body = b"".join(bmp.tlv_item(tag, value) for tag, value in items)
    assert list(bmp.iter_tlv(body)) == items
    outer = 0x20 | number  # constructed: its parts follow it
    assert list(bmp.iter_tlv(bmp.tlv_item(outer, body))) == [(outer, body), *items]
    [(tag, value)] = bmp.read_fields(bmp.field(0x06, body))
    assert (tag, value) == (0x06, body)


@MANY
@given(
    st.integers(0, 0xFF),
    st.integers(1, 999_999_999_999),
    st.integers(0, 999_999),
    st.integers(0, 9999),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20),
    st.text(alphabet="0123456789", min_size=13, max_size=19),
)
def test_a_status_information_reads_back(
    code: int, amount: int, trace: int, receipt: int, terminal: str, name: str, pan: str
) -> None:
    padded = pan if len(pan) % 2 == 0 else pan + "F"
    data = (
        bmp.field(0x27, bytes([code]))
        + bmp.amount_field(amount)
        + bmp.field(0x0B, bmp.bcd(trace, 3))
        + bmp.field(0x87, bmp.bcd(receipt, 2))
        + bmp.field(0x29, bmp.bcd(terminal, 4))
        + bmp.field(0x22, bytes.fromhex(padded))
        + bmp.field(0x8B, name.encode("ascii") + b"\x00")
    )
    status = messages.parse(Apdu(0x04, 0x0F, data))
    assert isinstance(status, messages.StatusInformation)
    assert status == messages.StatusInformation(
        result_code=code, amount_minor=amount, trace_no=trace, receipt_no=receipt,
        terminal_id=terminal, card_name=name or None, masked_pan=bmp.mask_digits(pan),
    )  # fmt: skip
    assert status.masked_pan is not None
    assert status.masked_pan[:6] == pan[:6] and status.masked_pan[-4:] == pan[-4:]
    assert sum(c.isdigit() for c in status.masked_pan) == 10


# -- bytes off the line -----------------------------------------------------------------------

line_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(SPECIAL), max_size=200).map(bytes),
    st.lists(st.one_of(payload.map(encode_frame), st.binary(max_size=6)), max_size=5).map(b"".join),
)
# Mostly well-formed fields with stray bytes between them, so that the parsers get far.
field_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.one_of(any_field.map(lambda f: bmp.field(*f)), st.binary(max_size=4)), max_size=8
    ).map(b"".join),
)


@MANY
@given(line_bytes)
def test_any_bytes_on_the_line_end_in_frames_or_device_errors(data: bytes) -> None:
    assert all(isinstance(apdu, bytes) for apdu, _ok in frames_in(data))
    link, port = link_over(data)
    for _ in range(len(data) + 1):
        if tolerated(link.receive, time.monotonic() + 5, interrupt=port.drained) is None:
            break
    assert all(w in (bytes([ACK]), bytes([NAK])) for w in port.written)


@MANY
@given(st.one_of(st.binary(max_size=300), long_payload))
@example(b"\x06\xd3\xff")
@example(b"\x06\xd3\xff\x00\x01")
@example(b"\x06\xd3\xff\xff\xff")
def test_any_bytes_as_an_apdu_decode_or_fail_typed(raw: bytes) -> None:
    try:
        apdu = Apdu.decode(raw)
    except DeviceProtocolError:
        return
    assert Apdu.decode(apdu.encode()) == apdu
    assert raw[:2] == bytes([apdu.cls, apdu.ins]) and raw.endswith(apdu.data)


@MANY
@given(field_bytes)
def test_any_bytes_as_fields_read_or_fail_typed(data: bytes) -> None:
    fields = tolerated(bmp.read_fields, data)
    if fields is not None:  # what was read encodes to fields that read the same
        again = b"".join(bmp.field(tag, value) for tag, value in fields)
        assert bmp.read_fields(again) == fields
    tolerated(lambda: list(bmp.iter_tlv(data)))


@MANY
@given(field_bytes)
def test_any_status_information_reads_or_fails_typed(data: bytes) -> None:
    status = tolerated(messages.parse_status_information, data)
    if isinstance(status, messages.StatusInformation) and status.masked_pan is not None:
        assert sum(c.isdigit() for c in status.masked_pan) <= 10


COMMANDS = [(0x04, 0x0F), (0x04, 0xFF), (0x06, 0xD1), (0x06, 0xD3), (0x06, 0x0F), (0x06, 0x1E)]
COMMANDS += [(0x80, 0x00), (0x84, 0x9C), (0x06, 0x00)]


@MANY
@given(st.sampled_from(COMMANDS), st.one_of(field_bytes, st.binary(max_size=40)), st.booleans())
def test_any_terminal_message_parses_or_fails_typed(
    command: tuple[int, int], data: bytes, after_status_enquiry: bool
) -> None:
    apdu = Apdu(*command, data)
    message = tolerated(messages.parse, apdu, after_status_enquiry=after_status_enquiry)
    # Only a Status-Information (and the software version of a status enquiry's
    # Completion) may fail; the other messages are read leniently.
    strict = command == (0x04, 0x0F) or (command == (0x06, 0x0F) and after_status_enquiry)
    assert message is not None or strict
    text_block = bmp.field(0x06, data[:600])  # the same bytes inside a text block's TLV
    assert tolerated(messages.parse, Apdu(0x06, 0xD3, text_block)) is not None
    assert tolerated(messages.parse, Apdu(0x04, 0xFF, b"\x0a" + text_block)) is not None


def nested_tlv(depth: int) -> bytes:
    value = b""
    for _ in range(depth):
        value = bmp.tlv_item(0x20, value)
    return value


@MANY
@given(st.integers(1, bmp.MAX_TLV_DEPTH))
def test_nested_tlv_items_are_all_read(depth: int) -> None:
    items = list(bmp.iter_tlv(nested_tlv(depth)))
    assert len(items) == depth and all(tag == 0x20 for tag, _ in items)


def test_a_text_block_nested_too_deep_fails_typed() -> None:
    block = Apdu(0x06, 0xD3, bmp.field(0x06, nested_tlv(1200)))
    tolerated(messages.parse, block)
    with pytest.raises(DeviceProtocolError, match="nested deeper"):
        list(bmp.iter_tlv(nested_tlv(40)))
