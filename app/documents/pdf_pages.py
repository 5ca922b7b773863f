"""A reportlab canvas that knows the page count, for footers that say "Page x of y".

Platypus lays a document out in one pass and learns the number of pages only at the end.
Building twice (once to count) doubles the cost of a long invoice; a form XObject filled in
at the end cannot be right-aligned because its width is unknown while the page is drawn.
Instead, :class:`CountingCanvas` keeps each finished page's drawing operations in memory
and draws the page furniture that needs the total when the document is saved. Memory grows
with the page count, a few kilobytes per page of text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from reportlab.pdfgen.canvas import Canvas

# Draws on the canvas for page ``number`` of ``total`` (both counted from 1).
PageStamp = Callable[[Canvas, int, int], None]


class CountingCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Defers every page until :meth:`save`, then calls ``stamp`` with its number and total."""

    def __init__(self, *args: Any, stamp: PageStamp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stamp = stamp
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        # The canvas's state (its operator list in particular) is per page; a shallow copy
        # keeps this page's, and _startPage() gives the next page fresh ones.
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._stamp(self, number, total)
            super().showPage()
        super().save()


def counting_canvas(stamp: PageStamp) -> Callable[..., CountingCanvas]:
    """A ``canvasmaker`` for :meth:`BaseDocTemplate.build` that stamps with ``stamp``."""
    return partial(CountingCanvas, stamp=stamp)
