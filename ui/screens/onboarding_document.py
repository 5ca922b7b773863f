"""The onboarding wizard's first page: the identity document.

The machine-readable zone (pasted, typed or from the document reader) is read off the GUI
thread and fills the document fields and the customer's names and date of birth; the
fields then give the draft's :class:`~domain.customers.IdDocument` (or none, for a
business customer without one).

Part of :class:`~ui.screens.onboarding.OnboardingDialog` (mixed in); what it uses of the
dialog is declared below for type checkers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from domain.customers import DOCUMENT_LABELS, DocumentType, IdDocument, parse_day
from domain.kyc import document_from_mrz
from ui.forms import FieldErrors, error_label
from ui.ops import Lane, Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.onboarding import MrzReading


class OnboardingDocument:
    _services: Services
    _runner: Runner
    errors: FieldErrors
    # On the customer page; a read zone fills them in.
    first_name: QLineEdit
    last_name: QLineEdit
    birth_date: QLineEdit

    def _line(self, form: QFormLayout, label: str, field: str, *, hint: str = "") -> QLineEdit:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _document_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            QLabel(
                "Place the document on the reader, or paste/type the machine-readable zone "
                "(the 2 or 3 lines of letters, digits and < at the bottom)."
            )
        )
        self.mrz = QPlainTextEdit()
        self.mrz.setObjectName("mrz")
        self.mrz.setTabChangesFocus(True)
        self.mrz.setMaximumHeight(90)
        font = self.mrz.font()
        font.setFamily("DejaVu Sans Mono")
        self.mrz.setFont(font)
        mrz_error = error_label()
        self.errors.bind("mrz", mrz_error, self.mrz)
        row = QHBoxLayout()
        self.read_zone = QPushButton("Read &zone")
        self.read_zone.setObjectName("read_zone")
        self.read_zone.clicked.connect(self.read_mrz)
        self.scan = QPushButton("Scan with &reader")
        self.scan.setObjectName("scan_document")
        self.scan.setEnabled(self._services.devices.has_id_reader)
        self.scan.clicked.connect(self.scan_document)
        row.addWidget(self.read_zone)
        row.addWidget(self.scan)
        row.addStretch(1)
        self.mrz_result = QLabel()
        self.mrz_result.setObjectName("mrz_result")
        self.mrz_result.setWordWrap(True)
        layout.addWidget(self.mrz)
        layout.addWidget(mrz_error)
        layout.addLayout(row)
        layout.addWidget(self.mrz_result)
        form = QFormLayout()
        self.doc_type = QComboBox()
        self.doc_type.setObjectName("doc_type")
        self.doc_type.addItem("(no document — business customers only)", None)
        for kind, label in DOCUMENT_LABELS.items():
            self.doc_type.addItem(label, kind)
        self.doc_type.setCurrentIndex(2)  # ID card
        form.addRow("Document", self.doc_type)
        self.doc_number = self._line(form, "Number", "doc_number")
        self.doc_country = self._line(form, "Issuing country", "doc_country", hint="e.g. DEU")
        self.nationality = self._line(form, "Nationality", "nationality", hint="e.g. DEU")
        self.doc_expiry = self._line(form, "Valid until", "doc_expiry", hint="DD.MM.YYYY")
        self.doc_birth = self._line(form, "Born (document)", "doc_birth_date", hint="DD.MM.YYYY")
        self.review_reason = ""
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    # --- reading the document ------------------------------------------------------------

    def read_mrz(self) -> None:
        text = self.mrz.toPlainText()
        self.errors.clear()
        op(self._runner, lambda: self._services.onboarding.read_mrz(text)).success(
            self._mrz_read
        ).failure(self._failed).run()

    def scan_document(self) -> None:
        self.mrz_result.setText("Waiting for the document on the reader…")
        self.scan.setEnabled(False)

        def read() -> str:
            return self._services.devices.read_document()

        def done(text: str) -> None:
            self.scan.setEnabled(True)
            self.mrz.setPlainText(text)
            self.read_mrz()

        def failed(exc: BaseException) -> None:
            self.scan.setEnabled(True)
            message = getattr(exc, "message", str(exc))
            self.mrz_result.setText(message)
            self.errors.show_message("mrz", message)

        op(self._runner, read, lane=Lane.IO).success(done).failure(failed).run()

    def _mrz_read(self, reading: MrzReading) -> None:
        r = reading.result
        doc = document_from_mrz(r)
        if doc is None:
            return
        self.doc_type.setCurrentIndex(self.doc_type.findData(doc.doc_type))
        self.doc_number.setText(doc.number)
        self.doc_country.setText(doc.issuing_country)
        self.nationality.setText(doc.nationality)
        self.doc_expiry.setText(f"{doc.expiry:%d.%m.%Y}")
        self.doc_birth.setText(f"{doc.birth_date:%d.%m.%Y}" if doc.birth_date else "")
        self.review_reason = doc.review_reason
        self.first_name.setText(r.given_names.title())
        self.last_name.setText(r.surname.title())
        if doc.birth_date:
            self.birth_date.setText(f"{doc.birth_date:%d.%m.%Y}")
        colour = "#a05a00" if doc.needs_review else "#1b6e20"
        note = " The document will be marked 'needs manual review'." if doc.needs_review else ""
        self.mrz_result.setText(
            f"<span style='color:{colour}'>{r.format}: {reading.message}{note}</span>"
        )

    # --- the document in the draft -------------------------------------------------------

    def _document(self) -> IdDocument | None:
        doc_type = self.doc_type.currentData()
        if doc_type is None:
            return None
        expiry = parse_day(self.doc_expiry.text(), field="doc_expiry", label="expiry date")
        born = parse_day(
            self.doc_birth.text(), field="doc_birth_date", label="date of birth", required=False
        )
        assert expiry is not None
        return IdDocument(
            doc_type=DocumentType(doc_type),
            number=self.doc_number.text(),
            issuing_country=self.doc_country.text(),
            expiry=expiry,
            birth_date=born,
            nationality=self.nationality.text(),
            from_mrz=bool(self.mrz.toPlainText().strip()),
            review_reason=self.review_reason,
        )
