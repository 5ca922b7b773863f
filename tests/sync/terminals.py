"""Terminals and a central database for the sync tests: real services, real PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from app.bootstrap import Services, build
from app.paths import AppPaths
from app.services.auth import UserInfo
from app.services.sync import refresh_after_pull
from app.settings import load_settings
from app.sync.central_schema import role_name
from app.sync.engine import CentralLink, CycleReport, SyncEngine, make_central_engine
from app.sync.secrets import store_password


@dataclass
class Central:
    url: str
    admin: Engine
    passwords: dict[str, str]

    def store_url(self, store: str, *, port: int | None = None) -> str:
        base = self.url.split("://", 1)[1].split("@", 1)[-1]
        if port is not None:
            host, rest = base.split("/", 1)
            base = f"{host.rsplit(':', 1)[0]}:{port}/{rest}"
        return f"postgresql://{role_name(store)}@{base}"

    def scalar(self, sql: str, **params: object) -> object:
        with self.admin.connect() as conn:
            return conn.execute(text(sql), params).scalar()


@dataclass
class Terminal:
    store: str
    terminal_id: str
    services: Services
    sync: SyncEngine
    central_engine: Engine
    home: Path

    @classmethod
    def create(
        cls,
        central: Central,
        home: Path,
        store: str,
        terminal_id: str,
        *,
        port: int | None = None,
        batch_size: int = 500,
    ) -> Terminal:
        paths = AppPaths.under(home)
        paths.ensure_dirs()
        loaded = load_settings(
            paths,
            env={},
            cli={
                "printer.kind": "simulated",
                "store.id": store,
                "terminal.id": terminal_id,
                "central.url": central.store_url(store),
            },
        )
        assert not loaded.problems, loaded.problems
        store_password(paths, store, central.passwords[store])
        services = build(loaded.settings, paths)
        engine = make_central_engine(
            central.store_url(store, port=port), central.passwords[store], timeout_s=3
        )
        link = CentralLink(engine, store_id=store, deadline_s=4)
        sync = SyncEngine(
            services.engine, link, store_id=store, terminal_id=terminal_id, batch_size=batch_size
        )
        t = cls(store, terminal_id, services, sync, engine, home)
        t.cycle()
        return t

    def cycle(self) -> CycleReport:
        report = self.sync.cycle()
        refresh_after_pull(self.services.engine, self.services.catalog, self.services.cases)(report)
        return report

    def login(self, username: str, pin: str) -> UserInfo:
        return self.services.auth.login(username, pin)

    def open_till(self) -> None:
        maria = self.login("maria", "3333")
        self.services.till.open({"20.00": "5"}, user=maria)

    def receive(self, lines: str, reference: str) -> None:
        maria = self.login("maria", "3333")
        self.services.stock.receive(lines, reference=reference, user=maria)

    def sell_case(self, *, given: str = "20") -> int:
        """Sell one phone case for cash; returns the order total in cents."""
        anna = self.login("anna", "1111")
        sales = self.services.sales
        basket = sales.start(customer_id=None, user=anna)
        sales.add_code(basket.order_id, "ACC-CASE", user=anna)
        done = sales.pay_cash(basket.order_id, given, user=anna)
        return done.total.minor

    def waiting(self) -> int:
        return self.sync.pusher.waiting()

    def close(self) -> None:
        self.central_engine.dispose()
        self.services.close()


def assert_converged(central: Central, t: Terminal) -> None:
    """Every row this terminal wrote is at the centre exactly once, at the same version
    (field-merged customer rows: same ids), and the money sums agree."""
    from app.sync.entities import Rule, entities

    assert t.waiting() == 0
    with t.services.engine.connect() as local, central.admin.connect() as conn:
        for spec in entities():
            if spec.rule is Rule.CENTRE_OWNED:
                continue
            table = spec.table.name
            query = f"SELECT id, version FROM {table} WHERE terminal_id = :t AND store_id = :s"
            params = {"t": t.terminal_id, "s": t.store}
            mine = {(_uuid(r[0]), r[1]) for r in local.execute(text(query), params)}
            theirs = {(_uuid(r[0]), r[1]) for r in conn.execute(text(query), params)}
            if spec.rule is Rule.FIELD_MERGE:
                assert {i for i, _ in mine} == {i for i, _ in theirs}, table
            else:
                assert mine == theirs, (table, mine - theirs, theirs - mine)
        for table, amount in (("orders", "total_minor"), ("payments", "amount_minor")):
            query = (
                f"SELECT count(*), coalesce(sum({amount}), 0) FROM {table} "
                "WHERE terminal_id = :t AND store_id = :s"
            )
            params = {"t": t.terminal_id, "s": t.store}
            a = tuple(int(v) for v in local.execute(text(query), params).one())
            b = tuple(int(v) for v in conn.execute(text(query), params).one())
            assert a == b, (table, a, b)


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
