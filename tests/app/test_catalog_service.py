"""The catalog in the database: import all or nothing, export exactly, stock, comparison."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.bootstrap import Services
from app.catalog_dump import dump_catalog
from app.catalog_format import parse_catalog
from app.cli import run_command
from app.db import models as m
from app.demo.seed import DEMO_CATALOG
from domain.catalog import Lifecycle, OfferingKind
from domain.catalog_search import CatalogQuery
from domain.pricing_types import CustomerFacts

TODAY = date(2026, 11, 23)


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(
        ["--home", str(home), "--set", "printer.kind=simulated", *args], out=out, err=err
    )
    return code, out.getvalue(), err.getvalue()


def test_demo_catalog_is_loaded_and_exported_byte_for_byte(demo_services: Services) -> None:
    text = DEMO_CATALOG.read_text(encoding="utf-8")
    assert dump_catalog(demo_services.catalog.export_document()) == text


def test_import_and_export_through_the_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out, err = _cli(home, "catalog", "import", str(DEMO_CATALOG))
    assert code == 0, err
    assert "added" in out
    exported = tmp_path / "out.json"
    code, out, err = _cli(home, "catalog", "export", str(exported))
    assert code == 0, err
    assert exported.read_text(encoding="utf-8") == DEMO_CATALOG.read_text(encoding="utf-8")


def test_a_bad_file_changes_nothing_and_says_where(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _cli(home, "catalog", "import", str(DEMO_CATALOG))[0] == 0
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    data["productOffering"][0]["name"] = "Renamed plan"
    del data["productOffering"][1]["productOfferingPrice"][0]["taxRate"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=2), encoding="utf-8")

    code, _out, err = _cli(home, "catalog", "import", str(bad))
    assert code == 1
    assert "nothing changed" in err
    assert "taxRate" in err or "VAT" in err
    exported = tmp_path / "after.json"
    assert _cli(home, "catalog", "export", str(exported))[0] == 0
    assert exported.read_text(encoding="utf-8") == DEMO_CATALOG.read_text(encoding="utf-8")


def test_check_only_validates(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out, _err = _cli(home, "catalog", "import", "--check", str(DEMO_CATALOG))
    assert code == 0 and "is valid" in out


def test_offerings_missing_from_a_new_file_are_retired_not_deleted(
    demo_services: Services,
) -> None:
    doc = parse_catalog(DEMO_CATALOG.read_text(encoding="utf-8"))
    keep = tuple(o for o in doc.offerings if o.code != "ACC-GLASS")
    summary = demo_services.catalog.import_document(
        type(doc)(currency=doc.currency, policies=doc.policies, offerings=keep,
                  promotions=doc.promotions)
    )  # fmt: skip
    assert summary.retired == 1 and summary.added == 0
    glass = demo_services.catalog.snapshot().catalog.require("ACC-GLASS")
    assert glass.lifecycle is Lifecycle.RETIRED
    assert demo_services.catalog.find_by_code("4006381333955") is glass
    sellable = {o.code for o in demo_services.catalog.sellable(day=TODAY)}
    assert "ACC-GLASS" not in sellable and "ACC-CASE" in sellable
    with demo_services.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(m.Offering)).scalar_one()
    assert total == len(doc.offerings)


def test_filter_and_stock(demo_services: Services) -> None:
    catalog = demo_services.catalog
    rows = catalog.filter(CatalogQuery(text="iphone"), day=TODAY)
    assert [r.offering.code for r in rows if r.offering.kind is OfferingKind.DEVICE] == ["DEV-IP15"]
    plans = catalog.filter(
        CatalogQuery(kinds=frozenset({OfferingKind.PLAN}), min_data_mb=30 * 1024), day=TODAY
    )
    assert {r.offering.code for r in plans} == {"PLAN-M", "PLAN-L"}
    stock = catalog.stock_counts()
    assert stock["DEV-IP15"] == 5 and stock["SIM-STD"] == 160 and stock["SIM-ESIM"] == 40
    assert stock["ACC-CASE"] == 25  # accessories by quantity on hand
    assert "PLAN-M" not in stock


def test_plan_comparison_uses_the_engine(demo_services: Services) -> None:
    columns = demo_services.catalog.compare(
        ["PLAN-S", "PLAN-M"],
        commitment=24,
        day=TODAY,
        device="DEV-IP15",
        instalments=24,
        customer=CustomerFacts(age=30),
    )
    medium = columns[1]
    assert medium.monthly == Decimal("24.99")
    assert medium.upfront == Decimal("0.00")
    assert medium.total == Decimal("24.99") * 24
    # iPhone 699.00 with 24 months, −20 % (DEV20) = 559.20; 49.00 now, 510.20 over 24 months.
    assert medium.device_upfront == Decimal("49.00")
    assert medium.device_monthly == Decimal("24.99") + Decimal("21.26")
    assert medium.device_total == Decimal("49.00") + Decimal("24.99") * 24 + Decimal("510.20")
    assert not medium.problems
