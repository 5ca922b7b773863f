"""Small form helpers: an error label under each field, filled from a ValidationError."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.errors import ValidationError

ERROR_STYLE = "color: #b00020;"


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class FieldErrors:
    """Maps field names to the label under their widget; unknown fields go to ``general``."""

    def __init__(self, general: QLabel) -> None:
        self._general = general
        self._labels: dict[str, tuple[QLabel, QWidget | None]] = {}

    def bind(self, field: str, label: QLabel, widget: QWidget | None = None) -> None:
        self._labels[field] = (label, widget)

    def clear(self) -> None:
        self._general.hide()
        for label, _ in self._labels.values():
            label.hide()
            label.clear()

    def show(self, exc: ValidationError) -> None:
        self.show_message(exc.field, exc.message)

    def show_message(self, field: str, message: str) -> None:
        label, widget = self._labels.get(field, (self._general, None))
        label.setText(message)
        label.show()
        if widget is not None:
            widget.setFocus()

    def text(self, field: str = "") -> str:
        label, _ = self._labels.get(field, (self._general, None))
        return label.text() if label.isVisible() or not label.isHidden() else ""
