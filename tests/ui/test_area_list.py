"""The main window's list of areas: each name with its shortcut drawn at the right edge."""

from __future__ import annotations

from logged_in_window import logged_in
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from ui.area_list import SHORTCUT_ROLE, AreaList
from ui.main_window import AREAS


def _ink_in(image: QImage, x0: int, x1: int, y0: int, y1: int, background: QColor) -> int:
    """How many pixels of the box differ clearly from the background (drawn text)."""
    ink = 0
    for y in range(max(y0, 0), min(y1, image.height())):
        for x in range(max(x0, 0), min(x1, image.width())):
            pixel = image.pixelColor(x, y)
            if abs(pixel.lightness() - background.lightness()) > 60:
                ink += 1
    return ink


def test_every_shortcut_is_drawn_at_the_right_edge(qtbot: QtBot) -> None:
    areas = AreaList()
    qtbot.addWidget(areas)
    areas.setFixedWidth(240)
    for n, name in enumerate(AREAS, start=1):
        areas.add_area(name, f"Ctrl+{n}")
    areas.setCurrentRow(0)
    areas.show()
    qtbot.waitExposed(areas)
    image = areas.viewport().grab().toImage()
    background = areas.palette().color(areas.viewport().backgroundRole())
    right = areas.viewport().width()
    shortcut_width = areas.fontMetrics().horizontalAdvance("Ctrl+8")
    for row in range(areas.count()):
        item = areas.item(row)
        assert item.text() == AREAS[row] and item.data(SHORTCUT_ROLE) == f"Ctrl+{row + 1}"
        assert areas.fits(row), f"{item.text()} and its shortcut do not fit"
        box = areas.visualItemRect(item)
        # Ink where the shortcut goes (the right edge), none between name and shortcut.
        name_end = areas.fontMetrics().horizontalAdvance(item.text()) + 8
        gap_start, gap_end = name_end + 4, right - shortcut_width - 10
        if row != 0:  # the selected row's highlight is ink everywhere
            assert _ink_in(image, right - shortcut_width - 8, right, box.top(), box.bottom(),
                           background) > 0  # fmt: skip
            assert _ink_in(image, gap_start, gap_end, box.top(), box.bottom(), background) == 0


def test_the_main_window_lists_its_areas_with_their_shortcuts(
    qtbot: QtBot, demo_services: Services
) -> None:
    win = logged_in(qtbot, demo_services, "maria", "3333")
    shown = [(win.nav.item(r).text(), win.nav.item(r).data(SHORTCUT_ROLE))
             for r in range(win.nav.count())]  # fmt: skip
    assert shown == [(name, f"Ctrl+{n}") for n, name in enumerate(AREAS, start=1)]
    assert all(win.nav.fits(row) for row in range(win.nav.count()))
