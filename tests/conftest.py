"""Fixtures shared by every test layer.

- ``paths`` / ``settings``: a StoreDesk home under tmp_path with default settings.
- ``services``: the real composition root over a fresh, migrated SQLite file.
- ``demo_services``: the same with the demo store (catalog, staff, stock, 40 customers).
- ``pg_url``: a throw-away PostgreSQL database on the server named by STOREDESK_TEST_PG_URL
  (default postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards. Without a
  server the test is skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.bootstrap import Services, build
from app.paths import AppPaths
from app.settings import Settings, load_settings

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


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


@pytest.fixture
def services(settings: Settings, paths: AppPaths) -> Iterator[Services]:
    built = build(settings, paths)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def demo_services(services: Services) -> Services:
    services.demo.ensure(customers=40)
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
