"""Putting an invoice on A4 pages: margins, running header, legal footer, "Page x of y".

The first page opens with the full header (see :mod:`app.documents.invoice_layout`); every
later page carries a one-line running header naming the seller and the document number, so
a loose page of a twenty-page invoice can still be placed. Every page carries the legal
footer and "Page x of y", stamped when the document is saved (:mod:`app.documents.pdf_pages`).

A copy (any rendering after the one handed out when the document was issued) says so on
every page: "COPY" above the content, faintly across the page, and in the page line, so a
reprint can never pass for a second original.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from app.documents.invoice import InvoiceData
from app.documents.invoice_layout import story
from app.documents.invoice_styles import MUTED, Styles, make_styles
from app.documents.pdf_fonts import pdf_fonts
from app.documents.pdf_pages import counting_canvas

PAGE_WIDTH: float = A4[0]
PAGE_HEIGHT: float = A4[1]
MARGIN: float = 18 * mm
PAGE_LINE = 12  # points for the "Page x of y" line under the legal footer
RUNNING_HEADER = 18  # points above the frame on pages 2 and later
# Legal text taller than this flows after the totals instead of eating every page.
MAX_FOOTER = PAGE_HEIGHT * 0.2


COPY_RED = colors.HexColor("#b00020")


class _Furniture:
    """What is drawn on every page outside the frame; the legal text is wrapped once."""

    def __init__(self, data: InvoiceData, styles: Styles, width: float, *, copy: bool) -> None:
        self.data = data
        self.copy = copy
        self.styles = styles
        self.width = width
        self.legal: list[tuple[Paragraph, float]] = []
        for line in data.footer:
            para = styles.para(line, styles.footer)
            _, height = para.wrap(width, PAGE_HEIGHT)
            self.legal.append((para, height))
        self.overflow: list[Flowable] = []
        if self.legal_height > MAX_FOOTER:
            self.overflow = [para for para, _ in self.legal]
            self.legal = []

    @property
    def legal_height(self) -> float:
        return float(sum(height for _, height in self.legal))

    @property
    def bottom(self) -> float:
        """Where the frame starts: above the legal text and the page line."""
        return MARGIN + PAGE_LINE + self.legal_height + (4 if self.legal else 0)

    def first_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        self._legal(canvas)

    def later_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        fonts, data = self.styles.fonts, self.data
        y = PAGE_HEIGHT - MARGIN - 8
        canvas.saveState()
        canvas.setFont(fonts.bold, 8)
        canvas.drawString(MARGIN, y, fonts.text(data.seller.name))
        canvas.setFont(fonts.regular, 8)
        canvas.drawRightString(
            MARGIN + self.width, y, fonts.text(f"{data.title} {data.number} (continued)")
        )
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 4, MARGIN + self.width, y - 4)
        canvas.restoreState()
        self._legal(canvas)

    def _legal(self, canvas: Canvas) -> None:
        y = MARGIN + PAGE_LINE + self.legal_height
        for para, height in self.legal:
            y -= height
            para.drawOn(canvas, MARGIN, y)

    def stamp(self, canvas: Canvas, number: int, total: int) -> None:
        """The page line, drawn once the total is known."""
        fonts = self.styles.fonts
        canvas.saveState()
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.5)
        top = MARGIN + PAGE_LINE + self.legal_height + 2
        canvas.line(MARGIN, top, MARGIN + self.width, top)
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(MUTED)
        name = f"{self.data.title} {self.data.number}" + (" (copy)" if self.copy else "")
        canvas.drawString(MARGIN, MARGIN, fonts.text(name))
        canvas.drawRightString(MARGIN + self.width, MARGIN, f"Page {number} of {total}")
        canvas.restoreState()
        if self.copy:
            self._copy_mark(canvas)

    def _copy_mark(self, canvas: Canvas) -> None:
        fonts, data = self.styles.fonts, self.data
        canvas.saveState()
        canvas.setFillColor(COPY_RED)
        canvas.setStrokeColor(COPY_RED)
        y = PAGE_HEIGHT - MARGIN + 16
        right = MARGIN + self.width
        canvas.setFont(fonts.bold, 12)
        label = "COPY"
        label_width = canvas.stringWidth(label, fonts.bold, 12)
        canvas.rect(right - label_width - 8, y - 4, label_width + 8, 16, stroke=1, fill=0)
        canvas.drawRightString(right - 4, y, label)
        canvas.setFont(fonts.regular, 8)
        canvas.drawRightString(
            right - label_width - 14,
            y + 2,
            fonts.text(f"Reprint of {data.title.lower()} {data.number} issued {data.issue_date}"),
        )
        # Faintly across the page too: a cropped top margin must not make it an original.
        canvas.setFillAlpha(0.08)
        canvas.setFont(fonts.bold, 120)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -40, label)
        canvas.restoreState()


def build_pdf(data: InvoiceData, out: str | Path | BinaryIO, *, copy: bool = False) -> int:
    """Lay ``data`` out on A4 pages and write the PDF; return the page count.

    ``copy``: mark every page as a copy of the original (see the module's docstring).
    """
    styles = make_styles(pdf_fonts())
    width = PAGE_WIDTH - 2 * MARGIN
    furniture = _Furniture(data, styles, width, copy=copy)
    bottom = furniture.bottom

    def frame(top: float, name: str) -> Frame:
        return Frame(
            MARGIN, bottom, width, PAGE_HEIGHT - top - bottom,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name,
        )  # fmt: skip

    doc = BaseDocTemplate(
        str(out) if isinstance(out, Path) else out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=bottom,
        title=f"{data.title} {data.number}" + (" (copy)" if copy else ""),
        author=data.seller.name,
        subject=f"{data.title} {data.number} for {data.buyer.name}",
        creator="StoreDesk",
        # Same data, same bytes: no timestamps or random ids, so a re-rendered copy matches.
        invariant=1,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [frame(MARGIN, "first")],
                onPage=furniture.first_page,
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                "later", [frame(MARGIN + RUNNING_HEADER, "later")], onPage=furniture.later_page
            ),
        ]
    )
    flowables = story(data, styles, width) + furniture.overflow
    doc.build(flowables, canvasmaker=counting_canvas(furniture.stamp))
    return int(doc.page)
