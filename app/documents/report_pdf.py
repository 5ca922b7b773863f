"""Till reports (X/Z) and the daily store summary on A4 pages.

Data in, pages out: the functions take the figures the services computed and never touch
the database. The till report lays out the same figures as the receipt-printer slip
(:func:`app.documents.report_slip.till_figures`); the day summary adds bar charts of the
takings per tender and per consultant, where a manager would rather look than read.
Every page carries the store, the report and "Page x of y".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
)

from app.documents.invoice_styles import MUTED, Styles, grid, make_styles
from app.documents.pdf_fonts import pdf_fonts
from app.documents.pdf_pages import counting_canvas
from app.documents.report_slip import (
    MOVEMENT_LABELS,
    Figure,
    till_figures,
    till_header,
    till_title,
)
from app.services.reports import DaySummary
from app.services.till import TillReport

PAGE_WIDTH: float = A4[0]
PAGE_HEIGHT: float = A4[1]
MARGIN: float = 18 * mm
WIDTH: float = PAGE_WIDTH - 2 * MARGIN
BAR = colors.HexColor("#3b6ea5")
BAR_HEIGHT = 16  # points per bar, so a long list of consultants grows the chart, not squeezes it

Target = str | Path | BinaryIO


def render_till_report(report: TillReport, *, store_name: str, path_or_stream: Target) -> int:
    """An X report (open session) or Z report (closed) as a PDF; return the page count."""
    return render_till_reports([report], store_name=store_name, path_or_stream=path_or_stream)


def render_till_reports(
    reports: Sequence[TillReport], *, store_name: str, path_or_stream: Target
) -> int:
    """Several sessions' reports in one PDF (a day's Z reports), each from a new page."""
    if not reports:
        raise ValueError("no till report to render")
    styles = make_styles(pdf_fonts())
    story: list[Flowable] = []
    for report in reports:
        if story:
            story.append(PageBreak())
        story += _till_story(report, styles, store_name)
    if len(reports) == 1:
        title = f"{till_title(reports[0])} {reports[0].number}"
    else:
        title = f"{till_title(reports[0])}s {reports[0].number} to {reports[-1].number}"
    return _build(story, styles, path_or_stream, store_name=store_name, title=title)


def _till_story(report: TillReport, styles: Styles, store_name: str) -> list[Flowable]:
    moves = [
        [MOVEMENT_LABELS.get(kind, kind), "" if amount.is_zero() else amount.format(), reason, who]
        for kind, amount, reason, who in report.movements
    ]
    story: list[Flowable] = [
        styles.para(store_name, styles.title),
        styles.para(f"{till_title(report)} {report.number}", styles.heading),
        _pairs(styles, till_header(report)),
        styles.para("Cash in the drawer", styles.heading),
        _pairs(styles, till_figures(report)),
        styles.para("Takings by tender", styles.heading),
        _table(
            styles,
            ["Tender", "Payments", "Amount"],
            [[t.tender.capitalize(), str(t.count), t.amount.format()] for t in report.tenders]
            or [["No takings", "", ""]],
            widths=(0.5, 0.2, 0.3),
        ),
        styles.para("Movements and drawer openings", styles.heading),
        _table(
            styles,
            ["", "Amount", "Reason", "By"],
            moves or [["None", "", "", ""]],
            widths=(0.18, 0.18, 0.4, 0.24),
        ),
    ]
    if report.status == "closed":
        story += [Spacer(1, 24), styles.para("Counted and closed by: ____________________")]
    return story


def render_day_summary(summary: DaySummary, *, store_name: str, path_or_stream: Target) -> int:
    """The store's day: orders, revenue, refunds, takings per tender and per consultant (with
    charts), and sales by category."""
    styles = make_styles(pdf_fonts())
    title = f"Day summary {summary.day.isoformat()}"
    story: list[Flowable] = [
        styles.para(store_name, styles.title),
        styles.para(title, styles.heading),
        _pairs(
            styles,
            [
                Figure("Completed orders", str(summary.orders)),
                Figure("Revenue", summary.revenue.format(), strong=True),
                *(
                    [Figure(f"Refunded ({summary.returns} returns)", summary.refunded.format())]
                    if summary.refunded is not None
                    else []
                ),
                Figure("Waiting to sync", str(summary.outbox_waiting)),
            ],
        ),
        styles.para("Takings by tender", styles.heading),
    ]
    if summary.by_tender:
        story += [
            _table(
                styles,
                ["Tender", "Amount"],
                [[t.capitalize(), a.format()] for t, a in summary.by_tender],
                widths=(0.6, 0.4),
            ),
            Spacer(1, 6),
            _bar_chart(
                styles,
                [(t.capitalize(), float(a.amount)) for t, a in summary.by_tender],
                caption=f"Takings by tender ({summary.revenue.currency})",
            ),
        ]
    else:
        story.append(styles.para("No sales were completed on this day."))
    story.append(styles.para("Sales by consultant", styles.heading))
    if summary.by_consultant:
        story += [
            _table(
                styles,
                ["Consultant", "Orders", "Amount"],
                [[n, str(c), a.format()] for n, c, a in summary.by_consultant],
                widths=(0.5, 0.2, 0.3),
            ),
            Spacer(1, 6),
            _bar_chart(
                styles,
                [(n, float(a.amount)) for n, _c, a in summary.by_consultant],
                caption=f"Sales by consultant ({summary.revenue.currency})",
            ),
        ]
    else:
        story.append(styles.para("No sales by anyone on this day."))
    if summary.by_category:
        story += [
            styles.para("Sales by category", styles.heading),
            _table(
                styles,
                ["Category", "Items", "Amount"],
                [[c, str(n), a.format()] for c, n, a in summary.by_category],
                widths=(0.5, 0.2, 0.3),
            ),
        ]
    return _build(story, styles, path_or_stream, store_name=store_name, title=title)


def _pairs(styles: Styles, figures: Sequence[Figure]) -> Table:
    """Label and value rows, the strong ones (expected, counted, variance) in bold."""
    text = styles.fonts.text
    table = Table(
        [[text(f.label), text(f.value)] for f in figures],
        colWidths=[WIDTH * 0.45, WIDTH * 0.3],
        hAlign="LEFT",
    )
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), styles.fonts.regular),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    for row, f in enumerate(figures):
        if f.strong:
            commands.append(("FONTNAME", (0, row), (-1, row), styles.fonts.bold))
    table.setStyle(commands)
    return table


def _table(
    styles: Styles, head: list[str], rows: list[list[str]], *, widths: Sequence[float]
) -> Table:
    """A house-style table; long cells (reasons, names) wrap instead of overflowing."""
    body = [[styles.para(cell, styles.cell) for cell in row] for row in rows]
    table = Table(
        [[styles.plain(h) for h in head], *body],
        colWidths=[WIDTH * w for w in widths],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(grid([("FONTNAME", (0, 0), (-1, 0), styles.fonts.bold)]))
    return table


def _bar_chart(styles: Styles, bars: Sequence[tuple[str, float]], *, caption: str) -> Drawing:
    """A horizontal bar per label, the value written at the end of each bar."""
    label_room = 120.0
    plot_height = BAR_HEIGHT * len(bars)
    drawing = Drawing(WIDTH, plot_height + 40)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_room, 14
    chart.width, chart.height = WIDTH - label_room - 50, plot_height
    # Categories run bottom-up in reportlab; reversed, the chart reads in the table's order.
    chart.data = [[value for _label, value in reversed(bars)]]
    chart.categoryAxis.categoryNames = [styles.plain(label)[:28] for label, _ in reversed(bars)]
    chart.categoryAxis.labels.fontName = styles.fonts.regular
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = styles.fonts.regular
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = styles.fonts.regular
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(
        String(0, plot_height + 28, styles.plain(caption), fontName=styles.fonts.bold, fontSize=9)
    )
    return drawing


def _build(
    story: list[Flowable], styles: Styles, out: Target, *, store_name: str, title: str
) -> int:
    fonts = styles.fonts

    def stamp(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN - 10, fonts.text(f"{store_name} · {title}"))
        canvas.drawRightString(MARGIN + WIDTH, MARGIN - 10, f"Page {number} of {total}")
        canvas.restoreState()

    doc = BaseDocTemplate(
        str(out) if isinstance(out, Path) else out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=fonts.text(title),
        author=fonts.text(store_name),
        creator="StoreDesk",
        invariant=1,  # same figures, same bytes: a re-rendered copy matches the first
    )
    frame = Frame(MARGIN, MARGIN, WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame])])
    doc.build(story, canvasmaker=counting_canvas(stamp))
    return int(doc.page)
