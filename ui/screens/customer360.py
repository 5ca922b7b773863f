"""The Customer 360 view: header, insights, and tabs for everything the customer has.

It only shows a :class:`~app.services.customer_profile.Profile` it is given; loading and
saving go through the screen that owns it. Keys while it has focus:

- F6: write a note (the note field takes focus; Enter saves it to the timeline).
- F8: change phone, e-mail or address (with a reason).
- Enter on an insight: jump to the record it is about.

The Orders tab has a row of actions under its table that the owning screen puts there
(:class:`~ui.screens.customer_orders.OrderActions`: invoice, issue invoice, return).
"""

from __future__ import annotations

import html
import uuid
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from domain.customers import age_on
from domain.insights import Level

if TYPE_CHECKING:
    from app.services.customer_profile import EventView, Profile

LEVEL_COLOURS = {
    Level.ALERT: "#b00020",
    Level.WARNING: "#a05a00",
    Level.OPPORTUNITY: "#1b6e20",
    Level.INFO: "#24476b",
}
TIMELINE_FILTERS = (
    ("All", ()),
    ("Visits", ("visit", "onboarding")),
    ("Sales and payments", ("sale", "payment")),
    ("Plan, add-ons, SIM", ("plan_change", "addon", "addon_removed", "service_added", "sim_swap")),
    ("Cases", ("case",)),
    ("Notes", ("note",)),
    ("Changes", ("change",)),
)
TABS = ("Subscriptions", "Devices", "Orders", "Payments", "Cases", "Details", "Timeline")


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[object] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


class Customer360(QWidget):
    note_submitted = Signal(str)
    edit_requested = Signal()
    # kinds (tuple, empty: all), older than (datetime or None): the screen loads and calls
    # show_timeline / add_timeline.
    timeline_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customer_360")
        self.profile: Profile | None = None
        self.header = QLabel("Select a customer")
        self.header.setObjectName("profile_title")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        # No word wrap: a wrapping rich-text label gets squeezed by the layout.
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.insights = QListWidget()
        self.insights.setObjectName("insights")
        self.insights.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.insights.itemActivated.connect(self._jump)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("profile_tabs")
        self.subscriptions = _table(
            ["MSISDN", "Plan", "Add-ons", "SIM (ICCID)", "Commitment ends", "Type", "Status"],
            "subscriptions",
        )
        self.devices = _table(["IMEI", "Model", "Bought", "Warranty ends", "Order"], "devices")
        self.orders = _table(["Order", "Receipt", "Invoice", "Date", "Status", "Total"], "orders")
        orders_page = QWidget()
        orders_layout = QVBoxLayout(orders_page)
        orders_layout.setContentsMargins(0, 4, 0, 0)
        orders_layout.addWidget(self.orders, 1)
        self.order_actions_bar = QHBoxLayout()  # the screen adds its order actions here
        orders_layout.addLayout(self.order_actions_bar)
        self.payments = _table(["Order", "Tender", "Status", "Amount", "Date"], "payments")
        self.cases = QListWidget()
        self.cases.setObjectName("cases")
        self.details = QLabel()
        self.details.setObjectName("details")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        timeline_page = QWidget()
        self.timeline_filter = QComboBox()
        self.timeline_filter.setObjectName("timeline_filter")
        for label, _kinds in TIMELINE_FILTERS:
            self.timeline_filter.addItem(label)
        self.timeline_filter.currentIndexChanged.connect(lambda _i: self._filter_changed())
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("Note for the timeline (F6), Enter saves")
        self.note.setMaxLength(500)
        self.note.returnPressed.connect(self._submit_note)
        self.note_error = QLabel()
        self.note_error.setStyleSheet("color: #b00020;")
        self.note_error.hide()
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.more = QPushButton("Load older entries")
        self.more.setObjectName("timeline_more")
        self.more.clicked.connect(self._load_more)
        self._events: list[EventView] = []  # the profile's first page, all kinds
        self._all_loaded = True  # that page holds every entry of the customer
        self._shown: list[EventView] = []  # what the list shows (current filter)
        self._shown_complete = True  # no older entry matches the filter
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.timeline_filter)
        top.addWidget(self.note, 1)
        page = QVBoxLayout(timeline_page)
        page.setContentsMargins(0, 4, 0, 0)
        page.addLayout(top)
        page.addWidget(self.note_error)
        page.addWidget(self.timeline, 1)
        page.addWidget(self.more)

        for widget, title in zip(
            (self.subscriptions, self.devices, orders_page, self.payments, self.cases,
             self.details, timeline_page),
            TABS,
            strict=True,
        ):  # fmt: skip
            self.tabs.addTab(widget, title)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.insights)
        layout.addWidget(self.tabs, 1)

    # --- showing -------------------------------------------------------------------------

    def show_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._fill_header(profile)
        self.insights.clear()
        for insight in profile.insights:
            item = QListWidgetItem(insight.text)
            item.setForeground(QBrush(QColor(LEVEL_COLOURS[insight.level])))
            item.setData(Qt.ItemDataRole.UserRole, (insight.source_kind, insight.source_id))
            self.insights.addItem(item)
        if not profile.insights:
            self.insights.addItem("Nothing unusual for this customer.")
        rows = min(self.insights.count(), 5)
        self.insights.setFixedHeight(self.insights.sizeHintForRow(0) * rows + 6)
        _fill(
            self.subscriptions,
            [
                [s.msisdn, s.plan_name, ", ".join(s.addons) or "—", s.iccid or "—",
                 _day(s.commitment_end), s.payment_type, s.status]
                for s in profile.subscriptions
            ],
            [s.id for s in profile.subscriptions],
        )  # fmt: skip
        _fill(
            self.devices,
            [[d.imei, d.model, _day(d.bought), _day(d.warranty_end), d.order_number]
             for d in profile.devices],
        )  # fmt: skip
        _fill(
            self.orders,
            [[o.number, o.receipt_number or "—", o.invoice_number or "—",
              o.created_at.astimezone().strftime("%d.%m.%Y"), o.status, o.total]
             for o in profile.orders],
            [o.id for o in profile.orders],
        )  # fmt: skip
        _fill(
            self.payments,
            [[p.order_number, p.tender, p.status, p.amount,
              p.at.astimezone().strftime("%d.%m.%Y %H:%M")] for p in profile.payments],
            [p.id for p in profile.payments],
        )  # fmt: skip
        self.cases.clear()
        if not profile.cases_available:
            self.cases.addItem("Cases are not set up on this terminal yet.")
        for case in profile.cases:
            due = f", due {case.due_at.astimezone():%d.%m. %H:%M}" if case.due_at else ""
            item = QListWidgetItem(f"{case.number}  {case.title}  ({case.status}{due})")
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            self.cases.addItem(item)
        self.details.setText(self._details_html(profile))
        self.tabs.setTabText(TABS.index("Cases"), f"Cases ({len(profile.cases)})")
        self.tabs.setTabText(TABS.index("Timeline"), f"Timeline ({profile.timeline_total})")
        self._events = list(profile.timeline)
        self._all_loaded = len(self._events) >= profile.timeline_total
        self._filter_changed()

    def _fill_header(self, p: Profile) -> None:
        esc = html.escape
        age = f", {age_on(p.birth_date, date.today())} years" if p.birth_date else ""
        born = f"born {_day(p.birth_date)}{age}" if p.birth_date else ""
        doc = p.documents[0] if p.documents else None
        doc_text = (
            f"{esc(doc.label)} {esc(doc.number)} ({esc(doc.issuing_country)}), "
            f"valid to {_day(doc.expiry)}"
            + (" — <b style='color:#a05a00'>needs manual review</b>" if doc.needs_review else "")
            if doc
            else "no identity document on file"
        )
        status_colour = "#1b6e20" if p.status == "active" else "#b00020"
        self.header.setFixedHeight(4 * self.header.fontMetrics().lineSpacing() + 24)
        self.header.setText(
            f"<h2 style='margin:0'>{esc(p.name)}</h2>"
            f"<span>{esc(p.customer_no)} · {esc(p.kind)} · segment {esc(p.segment)} · "
            f"<b style='color:{status_colour}'>{esc(p.status)}</b></span><br>"
            f"<span>{esc(p.phone or 'no phone')} · {esc(p.email or 'no e-mail')}"
            f"{' · ' + esc(born) if born else ''}</span><br><span>{doc_text}</span>"
        )

    @staticmethod
    def _details_html(p: Profile) -> str:
        esc = html.escape
        parts = ["<h4>Contact</h4>"]
        parts += [
            f"{esc(c.kind)}: {esc(c.value)}{' (primary)' if c.primary else ''}<br>"
            for c in p.contacts
        ]
        parts.append("<h4>Addresses</h4>")
        parts += [f"{esc(a.kind)}: {esc(a.text)}<br>" for a in p.addresses] or ["none<br>"]
        parts.append("<h4>Consents</h4>")
        parts += [
            f"{esc(c.purpose.replace('_', ' '))}: <b>{'yes' if c.granted else 'no'}</b>"
            f" — given by {esc(c.given_by)}, {c.recorded_at.astimezone():%d.%m.%Y}<br>"
            for c in p.consents
        ] or ["not recorded<br>"]
        parts.append("<h4>Identity documents</h4>")
        parts += [
            f"{esc(d.label)} {esc(d.number)} ({esc(d.issuing_country)}), valid to "
            f"{_day(d.expiry)}; checked by {esc(d.verified_by or '—')}"
            + (f" — needs review: {esc(d.review_reason)}" if d.needs_review else "")
            + "<br>"
            for d in p.documents
        ] or ["none<br>"]
        parts.append("<h4>Billing accounts</h4>")
        parts += [f"{esc(a)}<br>" for a in p.billing_accounts] or ["none<br>"]
        if p.contact_persons:
            parts.append("<h4>Authorised contact persons</h4>")
            parts += [f"{esc(name)}<br>" for name in p.contact_persons]
        return "".join(parts)

    def _kinds(self) -> tuple[str, ...]:
        return TIMELINE_FILTERS[self.timeline_filter.currentIndex()][1]

    def _filter_changed(self) -> None:
        kinds = self._kinds()
        if self._all_loaded or not kinds:
            self._shown = [e for e in self._events if not kinds or e.kind in kinds]
            self._shown_complete = self._all_loaded
            self._fill_timeline()
        else:
            self.timeline_requested.emit(kinds, None)

    def _load_more(self) -> None:
        older_than = self._shown[-1].occurred_at if self._shown else None
        self.timeline_requested.emit(self._kinds(), older_than)

    def show_timeline(self, events: list[EventView], *, complete: bool) -> None:
        """Entries for the current filter, loaded by the screen, replacing the list."""
        self._shown, self._shown_complete = list(events), complete
        self._fill_timeline()

    def add_timeline(self, events: list[EventView], *, complete: bool) -> None:
        """Older entries for the current filter, appended to the list."""
        self._shown, self._shown_complete = self._shown + list(events), complete
        self._fill_timeline()

    def _fill_timeline(self) -> None:
        self.timeline.clear()
        for event in self._shown:
            when = event.occurred_at.astimezone().strftime("%d.%m.%Y %H:%M")
            item = QListWidgetItem(f"{when}  [{event.kind.replace('_', ' ')}]  {event.summary}")
            item.setData(Qt.ItemDataRole.UserRole, event.id)
            self.timeline.addItem(item)
        self.more.setVisible(not self._shown_complete)

    # --- acting --------------------------------------------------------------------------

    def start_note(self) -> None:
        self.tabs.setCurrentIndex(TABS.index("Timeline"))
        self.note.setFocus()

    def _submit_note(self) -> None:
        text = self.note.text().strip()
        if text:
            self.note_submitted.emit(text)

    def note_saved(self) -> None:
        self.note.clear()
        self.note_error.hide()

    def note_failed(self, message: str) -> None:
        self.note_error.setText(message)
        self.note_error.show()

    def _jump(self, item: QListWidgetItem) -> None:
        source = item.data(Qt.ItemDataRole.UserRole)
        if not source:
            return
        kind, source_id = source
        self.jump_to(kind, source_id)

    def jump_to(self, kind: str, source_id: uuid.UUID | None) -> None:
        """Show the record an insight is about: its tab, with its row selected."""
        targets: dict[str, tuple[str, QTableWidget | QListWidget]] = {
            "subscription": ("Subscriptions", self.subscriptions),
            "payment": ("Payments", self.payments),
            "order": ("Orders", self.orders),
            "interaction": ("Timeline", self.timeline),
            "case": ("Cases", self.cases),
        }
        if kind in ("document", "customer"):
            self.tabs.setCurrentIndex(TABS.index("Details"))
            return
        if kind not in targets:
            return
        tab, widget = targets[kind]
        if kind == "interaction":
            self.timeline_filter.setCurrentIndex(0)
        self.tabs.setCurrentIndex(TABS.index(tab))
        if isinstance(widget, QTableWidget):
            for row in range(widget.rowCount()):
                cell = widget.item(row, 0)
                if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == source_id:
                    widget.selectRow(row)
                    widget.setFocus()
                    return
        else:
            for row in range(widget.count()):
                entry = widget.item(row)
                if entry.data(Qt.ItemDataRole.UserRole) == source_id:
                    widget.setCurrentRow(row)
                    widget.setFocus()
                    return
