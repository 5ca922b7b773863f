"""The one composition root: settings → engine → migrations → services → devices.

Nothing in StoreDesk opens a database, port or socket at import time; it all starts here,
and the result is handed to the UI's constructor (there is no global application object).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from app.db.engine import make_engine
from app.db.migrate import MigrationResult, upgrade
from app.db.uow import make_uow_factory
from app.device_manager import CardTerminalConfig, DeviceManager, IdReaderConfig, PrinterConfig
from app.paths import AppPaths
from app.services.auth import AuthService
from app.services.card_payments import CardPayments
from app.services.case_board import CaseFacts
from app.services.cases import CaseService
from app.services.catalog import CatalogService
from app.services.customers import CustomerService
from app.services.demo import DemoService
from app.services.handoffs import HandoffService
from app.services.invoices import InvoiceService
from app.services.numbers import NumberService
from app.services.onboarding import OnboardingService
from app.services.plan_changes import PlanChangeService
from app.services.print_queue import PrintQueue
from app.services.receipts import ReceiptService, StoreInfo, return_policy
from app.services.reports import ReportService
from app.services.returns import ReturnService
from app.services.sales import SaleService
from app.services.sim_swaps import SimSwapService
from app.services.stock import StockService
from app.services.sync import SyncService
from app.services.till import TillService
from app.settings import Settings
from domain.returns import ReturnPolicy
from domain.users import LockoutPolicy

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the UI may call. Plain commands in, plain results out."""

    settings: Settings
    paths: AppPaths
    engine: Engine
    store: StoreInfo
    auth: AuthService
    catalog: CatalogService
    customers: CustomerService
    handoffs: HandoffService
    cases: CaseService
    onboarding: OnboardingService
    numbers: NumberService
    sim_swaps: SimSwapService
    stock: StockService
    plan_changes: PlanChangeService
    returns: ReturnService
    sales: SaleService
    cards: CardPayments
    print_queue: PrintQueue
    till: TillService
    receipts: ReceiptService
    invoices: InvoiceService
    reports: ReportService
    devices: DeviceManager
    demo: DemoService
    sync: SyncService
    migration: MigrationResult | None
    problems: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.sync.stop()
        self.devices.close()
        self.engine.dispose()


def build(
    settings: Settings,
    paths: AppPaths,
    *,
    migrate: bool = True,
    problems: list[str] | None = None,
) -> Services:
    """Wire StoreDesk together. Raises DatabaseProblem if the local database is unusable."""
    engine = make_engine(settings.database_url(paths))
    migration = upgrade(engine, backup=settings.database.backup_before_migrate) if migrate else None
    if migration and migration.changed:
        log.info(
            "database migrated from %s to %s (backup: %s)",
            migration.from_revision,
            migration.to_revision,
            migration.backup,
        )
    store = StoreInfo(
        store_id=settings.store.id,
        terminal_id=settings.terminal.id,
        name=settings.store.name,
        address=settings.store.address,
        tax_id=settings.store.tax_id,
        currency=settings.store.currency,
    )
    uow = make_uow_factory(engine, store_id=store.store_id, terminal_id=store.terminal_id)
    devices = DeviceManager(
        PrinterConfig(
            kind=settings.printer.kind,
            address=settings.printer.address,
            profile=settings.printer.profile,
            width_mm=settings.printer.width_mm,
            check_status=settings.printer.check_status,
            columns=settings.printer.columns,
        ),
        IdReaderConfig(
            kind=settings.id_reader.kind,
            port=settings.id_reader.port,
            baud=settings.id_reader.baud,
        ),
        CardTerminalConfig(
            kind=settings.card_terminal.kind,
            port=settings.card_terminal.port,
            baud=settings.card_terminal.baud,
            password=settings.card_terminal.password,
        ),
    )
    policy = LockoutPolicy(
        max_failures=settings.security.max_pin_failures,
        lockout=timedelta(minutes=settings.security.lockout_minutes),
    )
    catalog = CatalogService(uow, store_id=store.store_id)
    sales = SaleService(
        uow,
        catalog=catalog,
        store_id=store.store_id,
        terminal_id=store.terminal_id,
        currency=store.currency,
        cash_rounding=settings.money.cash_rounding,
        region=settings.customers.phone_region,
    )
    sales.pay_later_allowed = settings.till.pay_later
    cases = CaseService(
        uow, store_id=store.store_id, terminal_id=store.terminal_id, data_dir=paths.data_dir
    )
    return Services(
        settings=settings,
        paths=paths,
        engine=engine,
        store=store,
        auth=AuthService(uow, policy=policy),
        catalog=catalog,
        customers=CustomerService(uow, region=settings.customers.phone_region, cases=CaseFacts()),
        handoffs=HandoffService(uow),
        cases=cases,
        numbers=NumberService(uow),
        onboarding=OnboardingService(
            uow,
            store_id=store.store_id,
            terminal_id=store.terminal_id,
            region=settings.customers.phone_region,
            postpaid_min_age=lambda: catalog.snapshot().catalog.policies.postpaid_min_age,
        ),
        sales=sales,
        cards=CardPayments(sales, devices.card_terminal),
        print_queue=PrintQueue(uow, devices),
        till=TillService(
            uow,
            store_id=store.store_id,
            till_id=store.terminal_id,
            currency=store.currency,
            variance_threshold=settings.till.variance_approval_above,
        ),
        sim_swaps=SimSwapService(uow, catalog=catalog, sales=sales, store_id=store.store_id),
        stock=StockService(
            uow,
            catalog=catalog,
            store_id=store.store_id,
            terminal_id=store.terminal_id,
            low_stock_level=settings.stock.low_stock_level,
        ),
        plan_changes=PlanChangeService(uow, catalog=catalog, store_id=store.store_id),
        returns=ReturnService(
            uow,
            catalog=catalog,
            policy=ReturnPolicy(
                window_days=settings.returns.window_days,
                opened_devices=settings.returns.opened_devices,
                approval_above=settings.returns.approval_above,
            ),
            store_id=store.store_id,
            terminal_id=store.terminal_id,
            currency=store.currency,
        ),
        receipts=ReceiptService(
            uow,
            store=store,
            columns=devices.printer_columns,
            footer=return_policy(settings.returns.receipt_note, settings.returns.window_days),
        ),
        invoices=InvoiceService(uow, store=store),
        reports=ReportService(uow, currency=store.currency),
        devices=devices,
        demo=DemoService(engine, uow, store_id=store.store_id, terminal_id=store.terminal_id),
        sync=_sync_service(engine, settings, paths, catalog, cases),
        migration=migration,
        problems=list(problems or []),
    )


def _sync_service(
    engine: Engine,
    settings: Settings,
    paths: AppPaths,
    catalog: CatalogService,
    cases: CaseService,
) -> SyncService:
    """The sync worker for a provisioned terminal (``[central] url`` set); else "off"."""
    from app.services.sync import refresh_after_pull
    from app.sync.secrets import load_password

    central = settings.central
    return SyncService(
        engine,
        store_id=settings.store.id,
        terminal_id=settings.terminal.id,
        central_url=central.url,
        password=lambda: load_password(paths, settings.store.id, from_settings=central.password),
        interval_s=central.sync_interval_s,
        batch_size=central.batch_size,
        on_cycle=refresh_after_pull(engine, catalog, cases),
    )
