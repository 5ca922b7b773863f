"""X/Z till reports and the day summary as PDF, as a printed slip, and from the command line."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.bootstrap import Services
from app.cli import run_command
from app.demo.seed import demo_iccid
from app.documents.report_pdf import render_day_summary, render_till_report
from app.documents.report_slip import build_till_slip
from app.paths import AppPaths
from app.services.auth import UserInfo
from app.services.report_docs import ReportDocuments
from app.services.reports import DaySummary
from devices.printer.escpos_decode import decode
from devices.printer.render import render_receipt
from domain.errors import RuleViolation
from domain.money import Money

COUNT_220 = {"50": "4", "20": "1"}  # 220.00 counted against 219.98 expected
CYRILLIC_STORE = "Магазин Център"


@pytest.fixture
def docs(demo_services: Services) -> ReportDocuments:
    return ReportDocuments.from_services(demo_services)


def _sell_for_cash(services: Services, user: UserInfo) -> None:
    """A prepaid line (19.98) paid with 20.00 cash."""
    sales = services.sales
    customer = services.customers.search("C00000001")[0].id
    basket = sales.start(customer_id=customer, user=user)
    sales.add_code(basket.order_id, "PLAN-PRE", user=user)
    sales.add_code(basket.order_id, demo_iccid(1, 1), user=user)
    sales.pay_cash(basket.order_id, "20", user=user)


def _text(pdf: bytes) -> str:
    """The pages' text with every run of whitespace as one space (cells come out per line)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _today() -> date:
    return datetime.now().astimezone().date()


def test_the_x_report_pdf_shows_the_open_drawer(
    demo_services: Services, docs: ReportDocuments, anna: UserInfo
) -> None:
    _sell_for_cash(demo_services, anna)
    demo_services.till.cash_in("30", "change from the bank", user=anna)
    out = io.BytesIO()
    report = docs.till_pdf(None, out)
    assert report.status == "open"
    text = _text(out.getvalue())
    assert f"X report {report.number}" in text
    for figure in ("200.00 EUR", "19.98 EUR", "30.00 EUR", "249.98 EUR"):
        assert figure in text
    assert "Cash sales" in text and "Expected in drawer" in text
    assert "change from the bank" in text and "Anna Consultant" in text
    assert "Counted" not in text  # nothing is counted until the close
    assert "Page 1 of 1" in text


def test_the_z_report_pdf_of_the_day_holds_the_close(
    demo_services: Services, docs: ReportDocuments, anna: UserInfo
) -> None:
    _sell_for_cash(demo_services, anna)
    demo_services.till.close(COUNT_220, user=anna, reason="customer left the change")
    out = io.BytesIO()
    (report,) = docs.z_pdf(_today(), out)
    text = _text(out.getvalue())
    assert f"Z report {report.number}" in text
    assert "Expected in drawer 219.98 EUR" in text
    assert "Counted 220.00 EUR" in text
    assert "Variance +0.02 EUR" in text and "customer left the change" in text
    assert "Cash 1 19.98 EUR" in text
    # A Z report of a later day, or of a session by its number, is the same close.
    with pytest.raises(RuleViolation, match="No till session was closed"):
        docs.z_pdf(date(2001, 1, 1), io.BytesIO())
    assert docs.till_report(report.number) == report


def test_the_day_summary_pdf_has_figures_and_charts(
    demo_services: Services, docs: ReportDocuments, anna: UserInfo
) -> None:
    _sell_for_cash(demo_services, anna)
    out = io.BytesIO()
    summary = docs.day_pdf(_today(), out)
    assert summary.orders == 1
    pdf = out.getvalue()
    text = _text(pdf)
    assert "Revenue 19.98 EUR" in text
    assert "Takings by tender (EUR)" in text and "Sales by consultant (EUR)" in text
    assert "Anna Consultant" in text
    assert "19.98" in text  # the bar's value label
    # The bars are filled rectangles in the page's content stream.
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None and b" re f" in content.get_data()


def test_cyrillic_store_and_consultants_print_as_written() -> None:
    eur = "EUR"
    summary = DaySummary(
        day=date(2024, 5, 31),
        orders=3,
        revenue=Money.of("150", eur),
        by_tender=(("card", Money.of("100", eur)), ("cash", Money.of("50", eur))),
        by_consultant=(
            ("Анна Иванова", 2, Money.of("120", eur)),
            ("Борис", 1, Money.of("30", eur)),
        ),
        outbox_waiting=0,
    )
    out = io.BytesIO()
    pages = render_day_summary(summary, store_name=CYRILLIC_STORE, path_or_stream=out)
    assert pages == 1
    text = _text(out.getvalue())
    assert CYRILLIC_STORE in text and "Анна Иванова" in text and "Борис" in text
    assert "Card" in text and "100.00 EUR" in text and "Day summary 2024-05-31" in text


def test_the_same_report_renders_the_same_bytes(docs: ReportDocuments, tmp_path: Path) -> None:
    report = docs.till_report()
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_till_report(report, store_name=CYRILLIC_STORE, path_or_stream=first)
    render_till_report(report, store_name=CYRILLIC_STORE, path_or_stream=str(second))
    assert first.read_bytes() == second.read_bytes()
    assert CYRILLIC_STORE in _text(first.read_bytes())


@pytest.mark.parametrize("columns", [32, 48])
def test_the_till_slip_fits_the_paper_and_prints(
    demo_services: Services, anna: UserInfo, columns: int
) -> None:
    _sell_for_cash(demo_services, anna)
    demo_services.till.no_sale("customer needed change", user=anna)
    reason = "the customer left the change for the charity box by the door " * 2
    closed = demo_services.till.close(COUNT_220, user=anna, reason=reason)
    slip = build_till_slip(closed.report, store_name=CYRILLIC_STORE, columns=columns)
    for line in slip.lines:
        assert len(line.text) <= (columns // 2 if line.double else columns), line.text
    plain = "\n".join(line.text for line in slip.lines)
    assert "Z REPORT" in plain and closed.report.number in plain
    printed = decode(render_receipt(slip, profile="TM-T20II", columns=columns))
    lines = [" ".join(line.text.split()) for line in printed.lines if line.kind == "text"]
    assert CYRILLIC_STORE in lines
    for expected in (
        "Opening float 200.00 EUR",
        "Cash sales 19.98 EUR",
        "Expected in drawer 219.98 EUR",
        "Counted 220.00 EUR",
        "Variance +0.02 EUR",
        "Cash x1 19.98 EUR",
        "Drawer openings 3 (1 no sale)",  # the sale, the no sale, the count
    ):
        assert expected in lines
    assert "no sale: customer needed change (Anna Consultant)" in " ".join(lines)
    assert " ".join(reason.split()) in " ".join(lines)  # a long reason wraps, whole
    assert printed.cuts == 1


def test_an_x_slip_of_the_open_till(docs: ReportDocuments) -> None:
    slip = docs.till_slip()
    texts = [line.text for line in slip.lines]
    assert "X REPORT" in texts and "No takings" in texts
    assert not any(text.startswith("Counted") for text in texts)


def _cli(paths: AppPaths, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    home = str(paths.data_dir.parent)
    code = run_command(
        ["--home", home, "--set", "printer.kind=simulated", "report", *argv], out=out, err=err
    )
    return code, out.getvalue(), err.getvalue()


def test_the_command_writes_z_x_and_day_reports(
    demo_services: Services, anna: UserInfo, paths: AppPaths, tmp_path: Path
) -> None:
    _sell_for_cash(demo_services, anna)
    today = _today().isoformat()
    code, _out, err = _cli(paths, "z", "--date", today, "--out", str(tmp_path / "z.pdf"))
    assert code == 1 and "No till session was closed" in err
    assert not (tmp_path / "z.pdf").exists()

    code, out, err = _cli(paths, "x", "--out", str(tmp_path / "x.pdf"))
    assert code == 0, err
    assert "X report" in out and "219.98 EUR" in _text((tmp_path / "x.pdf").read_bytes())

    demo_services.till.close(COUNT_220, user=anna, reason="customer left the change")
    code, out, err = _cli(paths, "z", "--date", today, "--out", str(tmp_path / "z.pdf"))
    assert code == 0, err
    assert "Z report of" in out
    assert "Variance +0.02 EUR" in _text((tmp_path / "z.pdf").read_bytes())

    code, out, err = _cli(paths, "day", "--date", today, "--out", str(tmp_path / "day.pdf"))
    assert code == 0, err
    assert "1 orders" in out and "Anna Consultant" in _text((tmp_path / "day.pdf").read_bytes())


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["z", "--date", "31.05.2024", "--out", "z.pdf"], 2, "write YYYY-MM-DD"),
        (["day", "--date", "2024-02-30", "--out", "d.pdf"], 2, "is not a date"),
        (["x", "--out", "x.txt"], 2, "must end in .pdf"),
        (["x"], 2, "--out"),
        (["x", "--out", "no/such/folder/x.pdf"], 1, "does not exist"),
    ],
)
def test_bad_dates_and_paths_are_refused(
    services: Services, paths: AppPaths, argv: list[str], code: int, message: str
) -> None:
    got, _out, err = _cli(paths, *argv)
    assert got == code and message in err
