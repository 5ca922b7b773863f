"""ZVT commands and terminal messages against byte vectors of open implementations."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceProtocolError
from devices.zvt import bmp, codes, commands, messages
from devices.zvt.apdu import Apdu
from devices.zvt.messages import (
    Abort,
    Acknowledgement,
    Completion,
    IntermediateStatus,
    PrintLine,
    PrintTextBlock,
    StatusInformation,
)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace("-", " "))


def parse(text: str, **kwargs: bool) -> object:
    return messages.parse(Apdu.decode(hexbytes(text)), **kwargs)


# -- commands ---------------------------------------------------------------------------------


def test_authorization_matches_portalum() -> None:
    # Portalum.Zvt ZvtClientTest: PaymentAsync(10) sends exactly these bytes (10.00 EUR).
    assert commands.authorization(1000).encode() == hexbytes("06 01 07 04 00 00 00 00 10 00")


def test_authorization_with_currency_and_payment_type() -> None:
    command = commands.authorization(1250, currency=978, payment_type=0x40)
    assert command.encode() == hexbytes("06 01 0C 04 00 00 00 00 12 50 49 09 78 19 40")


def test_registration_matches_ecrterm() -> None:
    # ecrterm tests/test_apdu.py: test_parse_fixed_with_optional and
    # test_serialize_fixed_no_optional; the currency follows the config byte untagged.
    assert commands.registration("987654", config=0x41).encode() == hexbytes(
        "06 00 06 98 76 54 41 09 78"
    )
    assert commands.registration("987654", config=0x41, currency=None).encode() == hexbytes(
        "06 00 04 98 76 54 41"
    )
    assert commands.registration("000000").data[3] == 0xBE


def test_other_commands() -> None:
    assert commands.log_off().encode() == hexbytes("06 02 00")  # ecrterm test_serialize_simple
    assert commands.abort().encode() == hexbytes("06 B0 00")
    assert commands.end_of_day("123456").encode() == hexbytes("06 50 03 12 34 56")
    assert commands.reversal("000000", 12).encode() == hexbytes("06 30 06 00 00 00 87 00 12")
    assert commands.refund("000000", 500).encode() == hexbytes(
        "06 31 0A 00 00 00 04 00 00 00 00 05 00"
    )
    assert commands.status_enquiry("000000").encode() == hexbytes("05 01 03 00 00 00")
    assert commands.repeat_receipt("000000").encode() == hexbytes("06 20 05 00 00 00 03 01")
    assert commands.repeat_receipt("000000", receipt=False).data[-1] == 0x03
    assert commands.ACK.encode() == hexbytes("80 00 00")
    assert commands.negative_ack(0x9A).encode() == hexbytes("84 9A 00")


@pytest.mark.parametrize("amount", [0, -5, 1_000_000_000_000])
def test_impossible_amounts_are_refused(amount: int) -> None:
    with pytest.raises(ValueError, match="amount"):
        commands.authorization(amount)


@pytest.mark.parametrize("password", ["12345", "1234567", "12a456"])
def test_the_password_has_six_digits(password: str) -> None:
    with pytest.raises(ValueError, match="six digits"):
        commands.registration(password)


# -- Status-Information -----------------------------------------------------------------------

# ecrterm tests/test_parsing.py PACKET_LIST: a 0.01 EUR VISA payment with additional text.
ECRTERM_STATUS = (
    "040fa12700040000000000014909780c1223060d062922f0f8474843eeeeee77438700023b38383931353000"
    "000b000732196029420030360e18018a0a8c038bf0f556495341002a3435353630303030303539392020203c"
    "f0f7f341532d544944203d2031334630303031330d41532d50726f632d436f6465203d203230203930332030"
    "300d436170742e2d5265662e3d20303030300d41494435393a20383039323538"
)


def test_status_information_from_ecrterm() -> None:
    status = parse(ECRTERM_STATUS)
    assert status == StatusInformation(
        result_code=0,
        amount_minor=1,
        currency=978,
        trace_no=732,
        receipt_no=2,
        terminal_id="42003036",
        vu_number="455600000599",
        date="0629",
        time="122306",
        payment_type=0x60,
        card_type=0x0A,
        card_name="VISA",
        masked_pan="474843******7743",
        auth_code="889150",
        additional_text=(
            "AS-TID = 13F00013\nAS-Proc-Code = 20 903 00\nCapt.-Ref.= 0000\nAID59: 809258"
        ),
    )


def test_status_information_with_a_tlv_container_at_the_end() -> None:
    # ecrterm PACKET_LIST, the 10.00 EUR variant: a TLV container (06 2B ...) follows 3C.
    raw = (
        "040FCE2700040000000010004909780C1230050D062922F0F8474843EEEEEE77438700023B3838393135"
        "3000000B000733196029420030360E18018A0A8C038BF0F556495341002A343535363030303030353939"
        "2020203CF0F7F341532D544944203D2031334630303031330D41532D50726F632D436F6465203D203230"
        "203930332030300D436170742E2D5265662E3D20303030300D41494435393A20383039323538062B4102"
        "000A4902000315024445600F4204564953414307A00000000310102F0C1F1001001F1101011F120102"
    )
    status = parse(raw)
    assert isinstance(status, StatusInformation)
    assert (status.amount_minor, status.trace_no, status.card_name) == (1000, 733, "VISA")


def test_status_information_from_portalum() -> None:
    # Portalum.Zvt StatusInformationParserTest.Parse_PaymentGood1 (a Debit Mastercard).
    # The terminal id 28 00 48 69 is BCD: "28004869" (Portalum reads it as a binary number).
    raw = (
        "04 0F 77 27 00 04 00 00 00 00 20 40 0B 00 04 70 0C 22 39 53 0D 10 06 0E 25 12 17 00 01"
        " 19 70 22 F0 F8 EE EE EE EE EE EE 47 71 29 28 00 48 69 2A 31 30 30 34 36 31 37 36 33 20"
        " 20 20 20 20 20 3B 36 31 31 38 30 34 00 00 3C F0 F1 F4 47 45 4E 2E 4E 52 2E 3A 36 31 31"
        " 38 30 34 49 09 78 87 04 70 88 00 04 70 8A 2E 8B F1 F7 44 65 62 69 74 20 4D 61 73 74 65"
        " 72 63 61 72 64 00"
    )
    status = parse(raw)
    assert isinstance(status, StatusInformation)
    assert status.card_name == "Debit Mastercard" == status.brand
    assert status.additional_text == "GEN.NR.:611804"
    assert status.auth_code == "611804"
    assert status.terminal_id == "28004869"
    assert (status.amount_minor, status.receipt_no, status.turnover_no) == (2040, 470, 470)
    assert status.masked_pan == "************4771"


def test_status_information_with_tlv_and_result_code_as() -> None:
    # Portalum StatusInformationParserTest.Parse_TlvInfos1: A0 (1 byte) and a nested TLV.
    raw = (
        "04-0F-65-27-00-0C-23-13-55-0D-10-29-0E-99-99-22-F0-F8-EE-EE-EE-EE-EE-EE-47-71-A0-01-29"
        "-00-00-00-06-87-00-08-0B-00-00-00-8A-06-8B-F1-F1-4D-41-53-54-45-52-43-41-52-44-00-06-2E"
        "-2F-08-1F-12-01-02-1F-10-01-00-60-1B-43-07-A0-00-00-00-04-10-10-44-10-44-65-62-69-74-20"
        "-4D-61-73-74-65-72-63-61-72-64-1F-2B-04-10-01-50-08"
    )
    status = parse(raw)
    assert isinstance(status, StatusInformation)
    assert (status.card_name, status.terminal_id, status.result_code) == (
        "MASTERCARD",
        "00000006",
        0,
    )


def test_status_information_of_a_customer_abort() -> None:
    # Portalum Parse_AbortByKey: result 6C, "Abbruch durch Kunde".
    raw = (
        "04 0F 1E 27 6C 29 28 00 48 69 3C F0 F1 F9 41 62 62 72 75 63 68 20 64 75 72 63 68 20 4B"
        " 75 6E 64 65"
    )
    status = parse(raw)
    assert isinstance(status, StatusInformation)
    assert status.result_code == codes.ABORTED
    assert status.additional_text == "Abbruch durch Kunde"


def test_an_unmasked_card_number_is_cut_to_the_last_four() -> None:
    # ecrterm PACKET_LIST: this terminal sent the number in clear, then a track separator D.
    raw = (
        "04 0F 37 27 00 04 00 00 00 00 40 00 49 09 78 0C 09 38 48 0D 04 25 22 F1 F1 59 66 66 66"
        " 66 D2 00 21 22 01 00 17 00 01 87 01 75 0B 61 39 95 19 40 29 60 09 99 14 0E 05 12 8A 02"
    )
    status = parse(raw)
    assert isinstance(status, StatusInformation)
    assert status.masked_pan == "******6666"  # ten digits: no BIN, or it would be all of them
    assert "5966666666" not in repr(status)


def test_an_unknown_field_is_a_protocol_error() -> None:
    with pytest.raises(DeviceProtocolError, match="field 99, whose length is unknown"):
        parse("04 0F 04 27 00 99 01")


@pytest.mark.parametrize(
    "raw",
    ["04 0F 04 04 00 00 00", "04 0F 04 22 F0 F5 47", "04 0F 03 3C F0 F1", "04 0F 03 22 F1 AA"],
)
def test_a_field_cut_short_is_a_protocol_error(raw: str) -> None:
    with pytest.raises(DeviceProtocolError):
        parse(raw)


def test_end_of_day_totals() -> None:
    groups = bytes([0]) + bmp.bcd(0, 6)  # girocard
    groups += bytes([0]) + bmp.bcd(0, 6) + bytes([2]) + bmp.bcd(3000, 6)  # JCB, Mastercard
    groups += bytes([0]) + bmp.bcd(0, 6) + bytes([1]) + bmp.bcd(1250, 6)  # Amex, VISA
    groups += (bytes([0]) + bmp.bcd(0, 6)) * 2
    data = bmp.field(0x27, b"\x00") + bmp.amount_field(4250)
    data += bmp.field(0x60, bmp.bcd(1, 2) + bmp.bcd(3, 2) + groups)
    status = messages.parse(Apdu(0x04, 0x0F, data))
    assert isinstance(status, StatusInformation) and status.totals is not None
    assert status.amount_minor == 4250
    assert (status.totals.receipt_from, status.totals.receipt_to) == (1, 3)
    assert status.totals.by_card == (
        messages.CardTotal("Mastercard", 2, 3000),
        messages.CardTotal("VISA", 1, 1250),
    )


# -- the other terminal messages --------------------------------------------------------------


def test_intermediate_status_from_ecrterm() -> None:
    # 0A with timeout 01 and the display text "Bitte Karte einstecken" in TLV 24/07.
    raw = (
        "04 FF 1E 0A 01 06 1A 24 18 07 16 42 69 74 74 65 20 4B 61 72 74 65 20 65 69 6E 73 74 65"
        " 63 6B 65 6E"
    )
    assert parse(raw) == IntermediateStatus(0x0A, "Insert card")


def test_an_intermediate_status_without_a_code_shows_the_terminal_text() -> None:
    tlv = bmp.tlv_item(0x24, bmp.tlv_item(0x07, "Karte prüfen".encode("cp437")))
    assert messages.parse(Apdu(0x04, 0xFF, b"\xff" + bmp.field(0x06, tlv))) == (
        IntermediateStatus(0xFF, "Karte prüfen")
    )


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0x0A, "Insert card"),
        (0x01, "Enter PIN"),
        (0x0E, "Please wait"),
        (0x4C, "Card not readable — remove card"),
        (0x4B, "Remove card"),
    ],
)
def test_intermediate_status_texts(code: int, text: str) -> None:
    assert messages.parse(Apdu(0x04, 0xFF, bytes([code]))) == IntermediateStatus(code, text)


def test_print_line_in_cp437() -> None:
    line = parse("06 D1 17 40 2A 20 2A 20 20 48 84 6E 64 6C 65 72 62 65 6C 65 67 20 20 2A 20 2A")
    assert line == PrintLine(0x40, "* *  Händlerbeleg  * *")


def test_print_line_feeds() -> None:
    assert messages.parse(Apdu(0x06, 0xD1, b"\xff\x03")).lines == ("", "", "")  # type: ignore[union-attr]


def test_print_text_block_from_portalum() -> None:
    # Portalum PrintTextBlockTest.Parse_AdministrationReceipt: receipt type 3 (administration).
    raw = (
        "06-D3-AC-06-81-A9-1F-07-01-03-25-81-A2-07-1B-30-32-2E-31-31-2E-32-30-32-31-20-20-20-20"
        "-20-20-20-20-20-31-37-3A-30-35-3A-30-32-07-0C-54-49-44-3A-41-48-30-30-30-30-30-36-07-14"
        "-41-62-73-63-68-6C-75-73-73-20-2D-20-6B-65-69-6E-65-20-54-58-07-19-20-41-56-3A-20-2B-30"
        "-34-2E-30-37-20-28-4A-75-6E-20-31-31-20-32-30-32-31-29-07-1B-54-49-3A-20-45-20-44-54-3A"
        "-20-30-2F-30-2F-20-4F-46-3A-20-30-2F-30-2F-20-43-47-3A-07-0F-20-20-20-20-20-20-20-20-20"
        "-20-20-31-2F-30-2F-07-01-20-07-01-20-07-01-20-07-01-20-07-01-20-07-01-20-07-01-20-09-01"
        "-81"
    )
    block = parse(raw)
    assert isinstance(block, PrintTextBlock)
    assert block.receipt_type == 3
    assert block.lines[:3] == (
        "02.11.2021         17:05:02",
        "TID:AH000006",
        "Abschluss - keine TX",
    )


# Portalum PrintTextBlockTest.Parse_CardholderReceipt: 654 data bytes, so the length is
# FF 8E 02; the TLV length 82 02 8A is big-endian; "für" is CP437 (0x81).
PORTALUM_CARDHOLDER_RECEIPT = (
    "06D3FF8E020682028A1F07010225820282071820204C6569687374656C6C756E6720766F6E20686F62657807"
    "16202020202066817220504F5254414C554D20476D6248071220202020202020204865727220546573743107"
    "1520202020205A5654205443502F49502C2044484350071B2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D"
    "2D2D2D2D2D2D2D071B31392E31302E3230323120202020202020202031333A33303A3034071B303030303031"
    "332020202030303034202020202020303030303031071320202020202020204B554E44454E42454C4547071B"
    "2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D07125465726D696E616C3A204148303030"
    "303036071142656C65672320203A204830303430303107124C3A2A2A2A2A2A2A2A2A2A2A2A2A303030300713"
    "4149443A20413030303030303030343130313007114B617274653A204D41535445524341524407184170702E"
    "20203A204465626974204D61737465726361726407132020202020202020436F6E746163746C65737307044B"
    "415546070120070553554D4D4507122020202020202020204555523A20312C3030070120071B547261636523"
    "3A202020202020202020202020313030303430303107012007095265666572656E7A3A070120071A20417574"
    "6F726973696572756E6773636F64653A33363736353507112020202020202020202852432030303129071420"
    "20202047656E65686D6967742033363736353507102020202020202030303130303430303107012007192041"
    "563A202B30342E303720284A756E203131203230323129071B54493A20452044543A20302F302F204F463A20"
    "302F302F2043473A070F2020202020202020202020312F302F070120070120070120070120070120090181"
)


def test_print_text_block_with_an_extended_length() -> None:
    block = messages.parse(Apdu.decode(bytes.fromhex(PORTALUM_CARDHOLDER_RECEIPT)))
    assert isinstance(block, PrintTextBlock)
    assert block.receipt_type == 2  # cardholder
    assert block.lines[:2] == ("  Leihstellung von hobex", "     für PORTALUM GmbH")
    assert "        KUNDENBELEG" in block.lines
    assert "L:************0000" in block.lines


def test_completion_after_registration_from_ecrterm() -> None:
    raw = "06 0F 11 19 00 29 52 00 12 33 49 09 78 06 05 27 03 14 01 FF"
    assert parse(raw) == Completion(terminal_id="52001233", status_byte=0)


def test_completion_after_status_enquiry_from_ecrterm() -> None:
    # ecrterm test_parse_cursed_completion: software version "bla", terminal status 00.
    done = parse("06 0F 07 F0 F0 F3 62 6C 61 00", after_status_enquiry=True)
    assert done == Completion(software="bla", terminal_status=0)


def test_abort_and_acknowledgements() -> None:
    assert parse("06 1E 01 6C") == Abort(0x6C)
    assert parse("80 00 00") == Acknowledgement(0)
    assert parse("84 00 00") == Acknowledgement(0)
    busy = parse("84 9C 00")
    assert isinstance(busy, Acknowledgement) and not busy.positive
    assert "busy" in busy.message


def test_tlv_items_from_ecrterm() -> None:
    # ecrterm test_parse_with_tlv: End-of-Day with a TLV container, 3F21 { 60 {55, 05}, 10 }, 11.
    data = Apdu.decode(
        hexbytes("06 50 17 12 34 56 06 12 3F 21 0C 60 06 55 01 AA 05 01 BB 10 02 AB BA 11 01 77")
    ).data
    fields = bmp.read_fields(data, 3)
    assert [tag for tag, _ in fields] == [0x06]
    items = [(tag, value.hex()) for tag, value in bmp.iter_tlv(fields[0][1])]
    assert items == [
        (0x3F21, "60065501aa0501bb1002abba"),
        (0x60, "5501aa0501bb"),
        (0x55, "aa"),
        (0x05, "bb"),
        (0x10, "abba"),
        (0x11, "77"),
    ]


def test_variable_length_prefixes() -> None:
    assert bmp.field(0x8B, b"VISA\x00") == hexbytes("8B F0 F5 56 49 53 41 00")
    assert bmp.field(0x3C, b"x" * 123)[:4] == hexbytes("3C F1 F2 F3")
    assert bmp.ber_length_bytes(650) == hexbytes("82 02 8A")


# -- messages for the counter -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (0x00, "Approved"),
        (0x05, "Declined by the card issuer"),
        (0x33, "not enough funds"),
        (0x0C, "Declined by the bank (code 12)"),
        (0x64, "Card not readable"),
        (0x6C, "Cancelled on the terminal"),
        (0xB4, "Already reversed"),
        (0xEE, "Terminal error EE"),
    ],
)
def test_result_messages(code: int, words: str) -> None:
    assert words in codes.result_message(code)


# -- card numbers -----------------------------------------------------------------------------


@given(st.text(alphabet="0123456789", min_size=8, max_size=19))
def test_a_masked_number_shows_at_most_bin_and_last_four(pan: str) -> None:
    masked = bmp.mask_digits(pan)
    assert len(masked) == len(pan)
    visible = sum(ch.isdigit() for ch in masked)
    assert visible <= (10 if len(pan) >= 13 else 4)
    assert masked.endswith(pan[-4:])


@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_bmp_22_never_yields_more_than_bin_and_last_four(pan: str) -> None:
    digits = pan + "F" if len(pan) % 2 else pan
    value = bytes.fromhex(digits)
    masked = bmp.masked_pan(value)
    assert masked == pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


def test_receipt_text_is_scrubbed_of_card_numbers() -> None:
    line = bmp.scrub_text("Karte 4761 7390 0101 0010  Betrag 12,50 Beleg 0001")
    assert "7390" not in line and "4761739001010010" not in line.replace(" ", "")
    assert line.startswith("Karte 476173******0010")
    assert bmp.scrub_text("Trace 000001  Receipt 0001") == "Trace 000001  Receipt 0001"
    assert not re.search(r"\d{11}", bmp.scrub_text("PAN:6725900000000000106"))
