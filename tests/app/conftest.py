"""The demo store's staff, logged in, for the service tests; a migrated database on
SQLite and on PostgreSQL for the persistence tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.bootstrap import Services
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.db.uow import UnitOfWork, make_uow_factory
from app.services.auth import UserInfo

Uow = Callable[..., UnitOfWork]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Uow]]:
    """An empty migrated database (SQLite file, then a throw-away PostgreSQL database) and
    units of work on it for store S9, terminal T9."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    yield engine, make_uow_factory(engine, store_id="S9", terminal_id="T9")
    engine.dispose()


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    """A consultant."""
    return demo_services.auth.login("anna", "1111")


@pytest.fixture
def maria(demo_services: Services) -> UserInfo:
    """The store manager."""
    return demo_services.auth.login("maria", "3333")


@pytest.fixture
def boris(demo_services: Services) -> UserInfo:
    """A second-line agent (works the case queues)."""
    return demo_services.auth.login("boris", "2222")
