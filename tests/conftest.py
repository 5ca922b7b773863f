"""Fixtures shared by every test layer.

- ``paths`` / ``settings``: a StoreDesk home under tmp_path with default settings.
- ``services``: the real composition root over a fresh, migrated SQLite file.
- ``demo_services``: the same with the demo store (catalog, staff, stock, 40 customers),
  copied from ``demo_database`` (built once per session) instead of seeded per test.
- ``pg_url``: a throw-away PostgreSQL database on the server named by STOREDESK_TEST_PG_URL
  (default postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards. Without a
  server the test is skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.bootstrap import Services, build
from app.paths import AppPaths
from app.settings import Settings, load_settings

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
DEMO_CUSTOMERS = 40


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    home = AppPaths.under(tmp_path / "home")
    home.ensure_dirs()
    return home


@pytest.fixture
def settings(paths: AppPaths) -> Settings:
    loaded = load_settings(paths, env={}, cli={"printer.kind": "simulated"})
    assert not loaded.problems, loaded.problems
    return loaded.settings


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store's SQLite file, built once per session through the real services (the
    same migrations and ``demo.ensure``); each test that asks for ``demo_services`` starts
    from its own copy of it."""
    home = AppPaths.under(tmp_path_factory.mktemp("demo-template") / "home")
    home.ensure_dirs()
    loaded = load_settings(home, env={}, cli={"printer.kind": "simulated"})
    built = build(loaded.settings, home)
    try:
        built.demo.ensure(customers=DEMO_CUSTOMERS)
    finally:
        built.close()
    return home.data_dir / "storedesk.sqlite3"


@pytest.fixture
def services(
    settings: Settings, paths: AppPaths, request: pytest.FixtureRequest
) -> Iterator[Services]:
    if "demo_services" in request.fixturenames:
        _copy_database(request.getfixturevalue("demo_database"), paths.data_dir)
    built = build(settings, paths)
    try:
        yield built
    finally:
        built.close()


def _copy_database(source: Path, data_dir: Path) -> None:
    """A consistent copy (SQLite's backup API: WAL contents included)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(data_dir / "storedesk.sqlite3")
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture
def demo_services(services: Services) -> Services:
    services.demo.ensure(customers=DEMO_CUSTOMERS)  # already there: copied from demo_database
    return services


@pytest.fixture
def pg_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    admin_url = os.environ.get("STOREDESK_TEST_PG_URL", PG_DEFAULT)
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {admin_url}: {exc}")
    name = f"storedesk_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
