"""A case type's fields as a form: one editor per field, by its type.

Text, number, money and date fields are line edits (the service parses and checks what is
typed and names the field when it refuses it); choices are a combo with an empty entry;
references (the customer, order, device … a case is about) are filled from the context the
case was opened in and shown read-only with the record's label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from domain.cases.definitions import FieldType

if TYPE_CHECKING:
    from app.services.case_views import FieldSpec, FieldView

PLACEHOLDERS = {
    FieldType.NUMBER: "a number",
    FieldType.MONEY: "an amount such as 12.50",
    FieldType.DATE: "YYYY-MM-DD",
}


class CaseFieldsForm(QWidget):
    """Editors for a type's fields; :meth:`values` gives what was typed, by field name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QLineEdit | QComboBox | QLabel] = {}
        self._initial: dict[str, str] = {}

    def show_fields(
        self,
        fields: Iterable[FieldSpec | FieldView],
        values: Mapping[str, str] | None = None,
        *,
        references: Mapping[str, str] | None = None,
        editable: bool = True,
    ) -> None:
        """One row per field; ``values`` as shown, ``references``: labels of linked records."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        given = dict(values or {})
        for spec in fields:
            value = given.get(spec.name, getattr(spec, "value", ""))
            label = spec.label + (" *" if spec.required else "")
            editor: QLineEdit | QComboBox | QLabel
            if spec.type is FieldType.REFERENCE:
                shown = (references or {}).get(spec.name) or value or "—"
                editor = QLabel(shown)
            elif spec.type is FieldType.CHOICE:
                editor = QComboBox()
                editor.addItem("", "")
                for choice in spec.choices:
                    editor.addItem(choice.replace("_", " "), choice)
                editor.setCurrentIndex(max(editor.findData(value), 0))
                editor.setEnabled(editable)
            else:
                editor = QLineEdit(value)
                editor.setPlaceholderText(PLACEHOLDERS.get(spec.type, ""))
                editor.setReadOnly(not editable)
            editor.setObjectName(f"field_{spec.name}")
            self.editors[spec.name] = editor
            self._initial[spec.name] = value
            self.form.addRow(label, editor)

    def values(self, *, changed_only: bool = False) -> dict[str, str]:
        """What the editors hold (references excluded); ``changed_only``: those edited."""
        out: dict[str, str] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QLabel):
                continue
            text = editor.currentData() if isinstance(editor, QComboBox) else editor.text()
            text = str(text or "").strip()
            if changed_only and text == self._initial.get(name, ""):
                continue
            out[name] = text
        return out

    def set_value(self, name: str, value: str) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        else:
            editor.setText(value)

    def focus(self, name: str) -> None:
        editor = self.editors.get(name)
        if editor is not None:
            editor.setFocus()
