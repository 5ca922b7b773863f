"""A real central PostgreSQL (throw-away database) with two stores, and terminals that sync.

``central`` is a throw-away central database: the schema, the demo catalog, staff and
number blocks for stores S001 and S002 and their login roles, and a back office BO1 (a
store with the demo staff and no numbers, working no case group until a test says so), set
up once per run in a template database and copied for each test (dropped afterwards).
``terminal(store, terminal_id)`` builds a complete StoreDesk (its own SQLite under
tmp_path) provisioned for that store and pulls once, so it has catalog and staff.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from app.db.engine import make_engine
from app.demo import data
from app.sync.central_data import add_user, seed_demo
from app.sync.central_schema import add_store, add_terminal, init_central
from tests.conftest import PG_DEFAULT
from tests.sync.terminals import Central, Terminal

STORES = ("S001", "S002")
BACK_OFFICE = "BO1"


@pytest.fixture(scope="session")
def central_template() -> Iterator[tuple[str, dict[str, str]]]:
    """A central database set up once per run; each test gets a copy (CREATE … TEMPLATE)."""
    psycopg = pytest.importorskip("psycopg")
    admin_url = os.environ.get("STOREDESK_TEST_PG_URL", PG_DEFAULT)
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {admin_url}: {exc}")
    name = f"storedesk_central_{uuid.uuid4().hex[:12]}"
    base = admin_url.rsplit("/", 1)[0]
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            engine = make_engine(f"{base}/{name}")
            init_central(engine)
            seed_demo(engine, STORES)
            passwords = {}
            for store in STORES:
                passwords[store] = add_store(engine, store, name=f"Store {store}").password
                for terminal in ("T01", "T02"):
                    add_terminal(engine, store, terminal)
            passwords[BACK_OFFICE] = add_store(engine, BACK_OFFICE, name="Back office").password
            add_terminal(engine, BACK_OFFICE, "T01")
            for username, display_name, role, pin in data.USERS:
                add_user(
                    engine, store_id=BACK_OFFICE, username=username,
                    display_name=display_name, role=role, pin=pin,
                )  # fmt: skip
            engine.dispose()
            yield name, passwords
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def central(central_template: tuple[str, dict[str, str]]) -> Iterator[Central]:
    import psycopg

    template, passwords = central_template
    admin_url = os.environ.get("STOREDESK_TEST_PG_URL", PG_DEFAULT)
    name = f"storedesk_test_{uuid.uuid4().hex[:12]}"
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin: Engine = make_engine(url)
    try:
        yield Central(url, admin, passwords)
    finally:
        admin.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def terminal(
    central: Central, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Terminal]]:
    made: list[Terminal] = []

    def make(store: str = "S001", terminal_id: str = "T01", **options: int) -> Terminal:
        """``port=`` connects through a proxy; ``batch_size=`` sets the push batch."""
        home = tmp_path_factory.mktemp(f"{store}-{terminal_id}")
        t = Terminal.create(central, home, store, terminal_id, **options)
        made.append(t)
        return t

    try:
        yield make
    finally:
        for t in made:
            t.close()
