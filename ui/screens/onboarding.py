"""The onboarding wizard: document, customer, consents, review — then one confirm.

Page 1 takes the machine-readable zone from the document reader (if one is set up), or
pasted/typed, and fills the document and name fields; or the consultant types the
document. Page 2 is the person or business, contact and address; page 3 asks each consent
explicitly (no answer is preselected); page 4 shows the checks (expired document, manual
review, age, duplicates with "Open existing") and the Confirm button.

Nothing is stored before Confirm. Every check and the save run off the GUI thread; a
field's problem is shown under that field, on its page.

Mixed in: :mod:`ui.screens.onboarding_document` (page 1: reading the zone and the document
fields).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from app.services.onboarding import CheckResult, DuplicateCustomer
from domain.customers import (
    CONSENT_LABELS,
    Address,
    Consent,
    ConsentPurpose,
    CustomerKind,
    GivenBy,
    NewCustomer,
    parse_day,
    validate_new_customer,
)
from domain.kyc import Severity
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Runner, op
from ui.screens.onboarding_document import OnboardingDocument

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo

PAGES = ("Document", "Customer", "Consents", "Check and confirm")
# Which page holds the widget for each field name a ValidationError can carry.
FIELD_PAGE = {
    "mrz": 0, "doc_number": 0, "doc_country": 0, "doc_expiry": 0, "nationality": 0,
    "doc_birth_date": 0,
    "first_name": 1, "last_name": 1, "birth_date": 1, "phone": 1, "email": 1,
    "company_name": 1, "company_reg_no": 1, "address_line1": 1, "address_city": 1,
    "address_postcode": 1, "address_country": 1, "contact_first_name": 1,
    "contact_last_name": 1, "contact_email": 1,
    "consents": 2, "consent_given_by": 2,
}  # fmt: skip
SEVERITY_COLOURS = {Severity.BLOCK: "#b00020", Severity.REVIEW: "#a05a00", Severity.NOTE: "#24476b"}


class OnboardingDialog(OnboardingDocument, QDialog):
    created = Signal(object)  # the new customer's id
    open_existing = Signal(object)  # a duplicate's customer id

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("onboarding")
        self.setWindowTitle("New customer")
        self.resize(760, 620)
        self._services = services
        self._runner = runner
        self._user = user
        self._checked: CheckResult | None = None
        self._busy = False
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._document_page())
        self.pages.addWidget(self._customer_page())
        self.pages.addWidget(self._consent_page())
        self.pages.addWidget(self._review_page())
        self.step = QLabel()
        self.back = QPushButton("&Back")
        self.back.clicked.connect(self.go_back)
        self.next = QPushButton("&Next")
        self.next.setObjectName("next")
        self.next.setDefault(True)
        self.next.clicked.connect(self.go_next)
        self.confirm = QPushButton("&Confirm and create")
        self.confirm.setObjectName("confirm")
        self.confirm.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.step)
        buttons.addStretch(1)
        for button in (cancel, self.back, self.next, self.confirm):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.general)
        layout.addLayout(buttons)
        shortcut("Ctrl+Return", self, self.go_next)
        self._show_page(0)

    # --- pages ---------------------------------------------------------------------------

    def _line(self, form: QFormLayout, label: str, field: str, *, hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(hint)
        err = error_label()
        self.errors.bind(field, err, edit)
        form.addRow(label, edit)
        form.addRow("", err)
        return edit

    def _customer_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItem("Individual", CustomerKind.INDIVIDUAL)
        self.kind.addItem("Business", CustomerKind.BUSINESS)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow("Customer is", self.kind)
        self.company = self._line(form, "Company name", "company_name")
        self.company_reg = self._line(form, "Registration no.", "company_reg_no")
        self.first_name = self._line(form, "First name(s)", "first_name")
        self.last_name = self._line(form, "Last name", "last_name")
        self.birth_date = self._line(form, "Date of birth", "birth_date", hint="DD.MM.YYYY")
        self.phone = self._line(form, "Mobile phone", "phone", hint="+49 151 … or 0151 …")
        self.email = self._line(form, "E-mail (optional)", "email")
        self.line1 = self._line(form, "Street and number", "address_line1")
        self.line2 = QLineEdit()
        self.line2.setObjectName("address_line2")
        form.addRow("Address line 2", self.line2)
        self.postcode = self._line(form, "Postcode", "address_postcode")
        self.city = self._line(form, "City", "address_city")
        self.country = self._line(form, "Country", "address_country", hint="DE")
        self.country.setText("DE")
        self._kind_changed()
        return page

    def _consent_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.addWidget(QLabel("<b>Ask the customer each question and record the answer.</b>"),
                       0, 0, 1, 3)  # fmt: skip
        self.consent_groups: dict[ConsentPurpose, QButtonGroup] = {}
        for row, purpose in enumerate(ConsentPurpose, start=1):
            grid.addWidget(QLabel(CONSENT_LABELS[purpose]), row, 0)
            group = QButtonGroup(page)
            for col, (label, value) in enumerate((("Yes", 1), ("No", 0)), start=1):
                button = QRadioButton(label)
                button.setObjectName(f"consent_{purpose.value}_{label.lower()}")
                group.addButton(button, value)
                grid.addWidget(button, row, col)
            self.consent_groups[purpose] = group
        consents_error = error_label()
        self.errors.bind("consents", consents_error)
        grid.addWidget(consents_error, 4, 0, 1, 3)
        self.given_by = QComboBox()
        self.given_by.setObjectName("given_by")
        for who, given in (("The customer", GivenBy.SELF), ("A parent", GivenBy.PARENT),
                           ("A guardian", GivenBy.GUARDIAN),
                           ("A representative", GivenBy.REPRESENTATIVE)):  # fmt: skip
            self.given_by.addItem(who, given)
        self.given_by_name = QLineEdit()
        self.given_by_name.setObjectName("given_by_name")
        self.given_by_name.setPlaceholderText("Name of the person answering for the customer")
        given_error = error_label()
        self.errors.bind("consent_given_by", given_error, self.given_by_name)
        grid.addWidget(QLabel("Answers given by"), 5, 0)
        grid.addWidget(self.given_by, 5, 1, 1, 2)
        grid.addWidget(self.given_by_name, 6, 1, 1, 2)
        grid.addWidget(given_error, 7, 0, 1, 3)
        grid.setRowStretch(8, 1)
        return page

    def _review_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setObjectName("review_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.findings = QListWidget()
        self.findings.setObjectName("findings")
        self.duplicates = QListWidget()
        self.duplicates.setObjectName("duplicates")
        self.duplicates.itemActivated.connect(self._open_duplicate)
        self.open_duplicate = QPushButton("&Open existing customer")
        self.open_duplicate.setObjectName("open_duplicate")
        self.open_duplicate.clicked.connect(
            lambda: self._open_duplicate(self.duplicates.currentItem())
        )
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Checks"))
        layout.addWidget(self.findings, 1)
        layout.addWidget(QLabel("Possible duplicates (Enter opens the existing customer)"))
        layout.addWidget(self.duplicates, 1)
        layout.addWidget(self.open_duplicate)
        return page

    # --- navigation ----------------------------------------------------------------------

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.step.setText(f"Step {index + 1} of {len(PAGES)}: {PAGES[index]}")
        self.back.setEnabled(index > 0)
        last = index == len(PAGES) - 1
        self.next.setVisible(not last)
        self.confirm.setVisible(last)
        self.confirm.setEnabled(last and self._checked is not None and not self._checked.blocked)
        first = {0: self.mrz, 1: self.first_name, 2: self.consent_groups[ConsentPurpose.MARKETING]
                 .buttons()[0], 3: self.confirm}[index]  # fmt: skip
        first.setFocus()

    def go_back(self) -> None:
        if self.pages.currentIndex() > 0:
            self._show_page(self.pages.currentIndex() - 1)

    def go_next(self) -> None:
        index = self.pages.currentIndex()
        if self._busy or index >= len(PAGES) - 1:
            return
        self.errors.clear()
        try:
            if index == 0:
                self._document()
            elif index == 1:
                self._draft_without_consents()
            if index < 2:
                self._show_page(index + 1)
                return
            draft = self._draft()
        except ValidationError as exc:
            self._show_error(exc)
            return
        self._run_check(draft)

    def _run_check(self, draft: NewCustomer) -> None:
        self._busy = True
        op(self._runner, lambda: self._services.onboarding.check(draft)).success(
            self._checked_ok
        ).failure(self._failed).run()

    def _checked_ok(self, result: CheckResult) -> None:
        self._busy = False
        self._checked = result
        d = result.draft
        who = d.company_name or f"{d.first_name} {d.last_name}"
        self.summary.setText(
            f"<h3>{who}</h3>{d.phone} · {d.email or 'no e-mail'}"
            + (f" · born {d.birth_date:%d.%m.%Y}" if d.birth_date else "")
        )
        self.findings.clear()
        for finding in result.findings:
            item = QListWidgetItem(finding.message)
            item.setForeground(QBrush(QColor(SEVERITY_COLOURS[finding.severity])))
            self.findings.addItem(item)
        if not result.findings:
            self.findings.addItem("All checks passed.")
        self.duplicates.clear()
        for dup in result.duplicates:
            item = QListWidgetItem(f"{dup.customer_no}  {dup.name} — {dup.reason}")
            item.setData(Qt.ItemDataRole.UserRole, dup.customer_id)
            self.duplicates.addItem(item)
        if result.duplicates:
            self.duplicates.setCurrentRow(0)
        self.open_duplicate.setEnabled(bool(result.duplicates))
        self.confirm.setText(
            "&Create anyway (not a duplicate)" if result.duplicates else "&Confirm and create"
        )
        self._show_page(3)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ValidationError):
            self._show_error(exc)
        elif isinstance(exc, DomainError):
            self.errors.show_message("", exc.message)
        else:
            raise exc

    def _show_error(self, exc: ValidationError) -> None:
        page = FIELD_PAGE.get(exc.field)
        if page is not None and page != self.pages.currentIndex():
            self._show_page(page)
        self.errors.show(exc)

    def _open_duplicate(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.open_existing.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    # --- building the draft --------------------------------------------------------------

    def _draft_without_consents(self) -> NewCustomer:
        kind = CustomerKind(self.kind.currentData())
        born = parse_day(
            self.birth_date.text(),
            field="birth_date",
            label="date of birth",
            required=kind is CustomerKind.INDIVIDUAL,
        )
        phone = self._services.onboarding.phone(self.phone.text())
        address = None
        if any(w.text().strip() for w in (self.line1, self.postcode, self.city)):
            address = Address(
                self.line1.text(), self.city.text(), self.postcode.text(), self.country.text(),
                self.line2.text(),
            )  # fmt: skip
        draft = NewCustomer(
            kind=kind,
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            birth_date=born,
            phone=phone,
            email=self.email.text(),
            company_name=self.company.text(),
            company_reg_no=self.company_reg.text(),
            address=address,
            document=self._document(),
            consents=tuple(Consent(p, False) for p in ConsentPurpose),
        )
        validate_new_customer(draft, today=date.today())
        return draft

    def _draft(self) -> NewCustomer:
        base = self._draft_without_consents()
        given_by = GivenBy(self.given_by.currentData())
        consents = []
        for purpose, group in self.consent_groups.items():
            answer = group.checkedId()
            if answer == -1:
                raise ValidationError(
                    f"Ask the customer and record yes or no for: {CONSENT_LABELS[purpose]}.",
                    field="consents",
                )
            consents.append(
                Consent(purpose, bool(answer), given_by, self.given_by_name.text().strip())
            )
        return NewCustomer(**{**base.__dict__, "consents": tuple(consents)})

    def _kind_changed(self) -> None:
        business = self.kind.currentData() == CustomerKind.BUSINESS
        for widget in (self.company, self.company_reg):
            widget.setEnabled(business)

    # --- saving --------------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy or self._checked is None or self._checked.blocked:
            return
        draft = self._checked.draft
        accept = bool(self._checked.duplicates)
        user = self._user
        self._busy = True
        self.confirm.setEnabled(False)

        def save() -> uuid.UUID:
            return self._services.onboarding.create(draft, user=user, accept_duplicates=accept)

        def saved(customer_id: uuid.UUID) -> None:
            self._busy = False
            self.created.emit(customer_id)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.confirm.setEnabled(True)
            if isinstance(exc, DuplicateCustomer):
                self._busy = False
                self._run_check(draft)
                return
            self._failed(exc)

        op(self._runner, save).success(saved).failure(failed).run()
