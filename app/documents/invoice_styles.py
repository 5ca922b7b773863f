"""How invoices look: colours, sizes, paragraph styles, and the one way text gets in.

Every string from the document's data reaches reportlab through :meth:`Styles.para` (for
wrapped text) or :meth:`Styles.plain` (for single-line table cells). Both prepare it for the
font, transliterating in the Helvetica fallback; ``para`` also escapes it, because
reportlab paragraphs are markup: a product called "Case <Black> & Co" must print as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, TableStyle

from app.documents.pdf_fonts import PdfFonts

GRID = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#ececec")
MUTED = colors.HexColor("#555555")
TABLE_SIZE = 8
PAD = 3  # cell padding, points


@dataclass(frozen=True)
class Styles:
    """The paragraph styles for one set of fonts, made per document (they are cheap)."""

    fonts: PdfFonts
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    footer: ParagraphStyle

    def para(
        self, text: str, style: ParagraphStyle | None = None, *, bold: bool = False
    ) -> Paragraph:
        markup = escape(self.fonts.text(text)).replace("\n", "<br/>")
        if bold:
            markup = f"<b>{markup}</b>"
        return Paragraph(markup, style or self.body)

    def plain(self, text: str) -> str:
        return self.fonts.text(text)


def make_styles(fonts: PdfFonts) -> Styles:
    def style(name: str, size: float, *, bold: bool = False, **kw: object) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.25)
        return ParagraphStyle(
            name, fontName=fonts.bold if bold else fonts.regular, fontSize=size, **kw
        )

    return Styles(
        fonts=fonts,
        body=style("body", 9),
        small=style("small", 7.5, textColor=MUTED),
        label=style("label", 9, textColor=MUTED),
        cell=style("cell", TABLE_SIZE),
        heading=style("heading", 10, bold=True, spaceBefore=8, spaceAfter=3),
        title=style("title", 18, bold=True, leading=22),
        footer=style("footer", 7, textColor=MUTED),
    )


def grid(extra: list[tuple[object, ...]] | None = None) -> TableStyle:
    """The house table: shaded header row, hairlines between rows, tight padding."""
    commands: list[tuple[object, ...]] = [
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ]
    return TableStyle(commands + (extra or []))
