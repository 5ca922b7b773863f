from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import create_engine, func, select

from app.cli import run_command
from app.db import models as m


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_db_upgrade_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    code, out, _ = _run("--home", str(tmp_path), "db", "upgrade")
    assert code == 0 and "upgraded from empty" in out
    code, out, _ = _run("--home", str(tmp_path), "db", "upgrade")
    assert code == 0 and "up to date" in out


def test_demo_creates_the_store_with_a_progress_bar(tmp_path: Path) -> None:
    code, out, _ = _run("--home", str(tmp_path), "demo", "--customers", "120")
    assert code == 0, out
    assert "120/120 customers" in out and "120 customers" in out
    db = next((tmp_path).rglob("storedesk.sqlite3"))
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Customer)).scalar() == 120
        assert conn.execute(select(func.count()).select_from(m.User)).scalar() == 4
    engine.dispose()


def test_db_reindex_rebuilds_the_search_index(tmp_path: Path) -> None:
    assert _run("--home", str(tmp_path), "demo", "--customers", "30")[0] == 0
    db = next((tmp_path).rglob("storedesk.sqlite3"))
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM customer_search")
    code, out, _ = _run("--home", str(tmp_path), "db", "reindex")
    assert code == 0 and "rebuilt for 30 customers" in out
    with engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM customer_search").scalar()
        found = conn.exec_driver_sql(
            "SELECT count(*) FROM customer_search WHERE customer_search MATCH 'ids : c00000007'"
        ).scalar()
    assert count == 30 and found == 1
    engine.dispose()


def test_numbers_import_and_list(tmp_path: Path) -> None:
    block = tmp_path / "block.txt"
    block.write_text("+4915209990000\n+4915209991234\n", encoding="utf-8")
    code, out, _ = _run("--home", str(tmp_path), "numbers", "import", str(block))
    assert code == 0 and "2 new numbers" in out
    code, out, _ = _run("--home", str(tmp_path), "numbers", "list", "*1234")
    assert code == 0 and out.split() == ["+4915209991234", "silver"]
    block.write_text("+4915209990001\nnot a number\n", encoding="utf-8")
    code, _, err = _run("--home", str(tmp_path), "numbers", "import", str(block))
    assert code == 1 and "line 2" in err
    code, out, _ = _run("--home", str(tmp_path), "numbers", "list", "99900")
    assert out.split() == ["+4915209990000", "gold"]


def test_corrupt_database_gives_a_message_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00garbage" * 512)
    code, _, err = _run(
        "--home", str(tmp_path), "--set", f"database.url=sqlite:///{bad}", "db", "upgrade"
    )
    assert code == 1 and "cannot be read" in err


def test_bad_override_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run("--home", str(tmp_path), "--set", "nonsense", "db", "upgrade")
    assert code == 2 and "storedesk:" in err


def test_settings_show_names_sources(tmp_path: Path) -> None:
    code, out, _ = _run("--home", str(tmp_path), "--set", "store.id=S777", "settings", "show")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("store.id"))
    assert "S777" in line and "command line" in line
