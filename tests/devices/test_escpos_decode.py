"""The ESC/POS decoder on literal bytes, as the Epson command reference writes them."""

from __future__ import annotations

import random

import pytest

from devices.printer.base import ReceiptDoc, ReceiptLine
from devices.printer.escpos_decode import EscposDecoder, decode, decode_jobs
from devices.printer.render import render_drawer_kick, render_receipt

ESC_INIT = b"\x1b@"


def test_text_lines_alignment_bold_and_size() -> None:
    job = decode(
        ESC_INIT
        + b"\x1ba\x01\x1bE\x01\x1d!\x11Shop\n"  # centred, bold, double width and height
        + b"\x1ba\x02\x1bE\x00\x1d!\x00Total 9.99\n"
        + b"\x1b!\x38Big bold\n"  # ESC ! 0x38: emphasized, double height and width
        + b"\x1b!\x00\x1ba\x00plain"  # no line feed at the end: still a line
    )
    lines = [(x.text, x.align, x.bold, x.width, x.height) for x in job.lines]
    assert lines == [
        ("Shop", "center", True, 2, 2),
        ("Total 9.99", "right", False, 1, 1),
        ("Big bold", "right", True, 2, 2),
        ("plain", "left", False, 1, 1),
    ]
    assert job.text == "Shop\nTotal 9.99\nBig bold\nplain"


def test_code_pages_decide_what_the_bytes_mean() -> None:
    job = decode(
        ESC_INIT
        + b"Caf\x82\n"  # CP437 is page 0 after ESC @
        + b"\x1bt\x11" + "Привет".encode("cp866") + b"\n"
        + b"\x1bt\x2e" + "«Мега» №5".encode("cp1251") + b"\n"
        + b"\x1bt\x10" + "9.99 €".encode("cp1252") + b"\n"
    )  # fmt: skip
    assert job.text == "Café\nПривет\n«Мега» №5\n9.99 €"
    assert job.code_pages == ["CP437", "CP866", "CP1251", "CP1252"]


def test_a_code_page_the_profile_lacks_shows_replacement_characters() -> None:
    job = decode(ESC_INIT + b"\x1bt\x63ab\xe9\n")  # ESC t 99: not in the TM-T20II profile
    assert job.text == "ab\ufffd"


def test_feed_cut_and_drawer_kick() -> None:
    job = decode(
        ESC_INIT + b"x\n\x1bd\x02" + b"\x1dV\x00" + b"\x1dVB\x03"  # full cut, feed-and-cut
        + b"\x1bp\x00\x19\xfa" + b"\x1bp\x01\x19\xfa"  # kick pin 2, pin 5
        + b"\x10\x14\x01\x00\x01"  # DLE DC4: real-time pulse on pin 2
    )  # fmt: skip
    assert job.text == "x\n\n"
    assert job.cuts == 2
    assert job.drawer_kicks == [2, 5, 2]
    assert [x.kind for x in job.lines][-5:] == ["cut", "cut", "drawer", "drawer", "drawer"]


def test_qr_code_payload_is_recorded_when_printed() -> None:
    data = b"RCP-S001-T01-000042"
    store = b"\x1d(k" + bytes([len(data) + 3, 0]) + b"1P0" + data
    job = decode(
        ESC_INIT
        + b"\x1d(k\x04\x001A2\x00"  # model 2
        + b"\x1d(k\x03\x001C\x05"  # module size
        + store
        + b"\x1d(k\x03\x001Q0"  # print
    )
    assert job.qr_codes == ["RCP-S001-T01-000042"]
    assert job.lines[-1].kind == "qr"


def test_barcodes_in_both_command_forms() -> None:
    job = decode(
        ESC_INIT
        + b"\x1dh\x40\x1dw\x03\x1dH\x02"
        + b"\x1dk\x024006381333931\x00"  # form A: EAN13, NUL-terminated
        + b"\x1dkI\x07{BRCP-1"  # form B: CODE128 with length, code set B
    )
    assert job.barcodes == [("EAN13", "4006381333931"), ("CODE128", "RCP-1")]


def test_raster_image_is_skipped_even_when_its_data_looks_like_commands() -> None:
    image = b"\x1dv0\x00\x02\x00\x03\x00" + b"\x0a\x1b@\x1dV\x00\x1b\x1d"  # 2 bytes × 3 rows
    job = decode(ESC_INIT + b"before\n" + image + b"after\n")
    assert job.text == "before\nafter"
    assert job.images == 1 and job.cuts == 0


def test_status_requests_are_answered_and_are_not_printed_bytes() -> None:
    asked: list[bytes] = []

    def answer(request: bytes) -> bytes:
        asked.append(request)
        return b"\x12"

    decoder = EscposDecoder(answer=answer)
    replies = decoder.feed(b"\x10\x04\x01" + ESC_INIT + b"hi\n\x10\x04\x04\x1dr\x01")
    assert replies == b"\x12\x12\x12"
    assert asked == [b"\x10\x04\x01", b"\x10\x04\x04", b"\x1dr\x01"]
    job = decoder.finish()
    assert job is not None
    assert job.raw == ESC_INIT + b"hi\n" and job.status_requests == 2


def test_unknown_commands_are_skipped_and_the_rest_decodes() -> None:
    job = decode(ESC_INIT + b"\x1b\xffA\n\x1d\xfeB\n\x1c\xf0C\n\x07D\n")
    # Unknown ESC x / GS x / FS x are skipped as two bytes, a stray control byte as one.
    assert job.text.splitlines() == ["A", "B", "C", "D"]
    assert job.skipped == 4


def test_feeding_byte_by_byte_gives_the_same_job() -> None:
    doc = ReceiptDoc(
        lines=(
            ReceiptLine("StoreDesk", align="center", bold=True, double=True),
            ReceiptLine("SIM-карта «Мега»  9.99 EUR"),
            ReceiptLine("Café Zürich", align="right"),
        ),
        barcode="RCP-1",
    )
    data = render_receipt(doc, profile="TM-T20II") + render_drawer_kick(profile="TM-T20II")
    whole = decode(data)
    decoder = EscposDecoder(split_jobs=False)
    for i in range(len(data)):
        assert decoder.feed(data[i : i + 1]) == b""
    piecewise = decoder.finish()
    assert piecewise == whole
    assert whole.raw == data
    assert whole.text.splitlines()[:3] == ["StoreDesk", "SIM-карта «Мега»  9.99 EUR", "Café Zürich"]


def test_esc_init_after_content_starts_a_new_job() -> None:
    jobs = decode_jobs(b"\x10\x04\x01" + ESC_INIT + b"one\n" + ESC_INIT + b"two\n" + ESC_INIT)
    assert [job.text for job in jobs] == ["one", "two"]
    assert jobs[0].raw == ESC_INIT + b"one\n"


def test_a_command_cut_off_at_the_end_does_not_break_decoding() -> None:
    decoder = EscposDecoder()
    decoder.feed(ESC_INIT + b"total\n\x1d(k\x40\x00")  # a QR store command missing its data
    assert decoder.pending
    job = decoder.finish()
    assert job is not None and job.text == "total"


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_never_raise(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = b"\x1b\x1d\x10\x1c\x04\x0a\x00\x01\x30\x31\x40\x45\x61\x6b\x74\x56\x28\x76\xff"
    for _ in range(200):
        blob = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        decoder = EscposDecoder(answer=lambda request: b"\x12")
        decoder.feed(blob)
        decoder.finish()
