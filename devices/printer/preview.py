"""A PNG picture of a decoded job, for people who would rather look than read the .txt.

Pillow comes with python-escpos; ``qrcode`` (also a python-escpos dependency) draws the QR
codes so a phone can scan the preview. A monospaced system font (DejaVu Sans Mono) keeps the
columns; without one Pillow's built-in font is used and columns only roughly line up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devices.printer.escpos_job import DecodedJob

CHAR_W, LINE_H, MARGIN = 12, 24, 12  # Font A: 12 × 24 dots
_MONO = ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "consola.ttf", "Menlo.ttc")


def _font(size: int, bold: bool) -> Any:
    from PIL import ImageFont

    for name in (_MONO[1], _MONO[0]) if bold else _MONO:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _qr(data: str, size: int) -> Any:
    try:
        import qrcode
    except ImportError:
        return None
    image = qrcode.make(data, box_size=4, border=1).get_image().convert("L")
    return image.resize((size, size))


def save_png(job: DecodedJob, path: Path, *, columns: int = 48) -> None:
    from PIL import Image, ImageDraw

    width = columns * CHAR_W + 2 * MARGIN
    heights = [LINE_H * line.height if line.kind != "qr" else 8 * LINE_H for line in job.lines]
    image = Image.new("L", (width, sum(heights) + 2 * MARGIN), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for line, height in zip(job.lines, heights, strict=True):
        if line.kind == "qr":
            code = _qr(line.text.removeprefix("QR "), height - 8)
            if code is not None:
                image.paste(code, ((width - code.width) // 2, y + 4))
        elif line.kind == "cut":
            draw.line((0, y + height // 2, width, y + height // 2), fill=128, width=1)
        else:
            text = line.text if line.kind == "text" else f"[{line.text}]"
            font = _font(int(LINE_H * 0.8) * line.height, line.bold)
            length = draw.textlength(text, font=font)
            x = MARGIN
            if line.align == "center":
                x = int((width - length) // 2)
            elif line.align == "right":
                x = int(width - MARGIN - length)
            draw.text((x, y), text, fill=0, font=font)
        y += height
    image.save(path)
