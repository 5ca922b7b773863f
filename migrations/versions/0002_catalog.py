"""catalog, promotions, device stock, priced order lines

Offerings keep the whole catalog entry in ``spec`` (the catalog file format); the flat
price columns go. Rows written by 0001 are converted: their single price becomes a
one-time or monthly price in ``spec``.

Revision ID: 0002_catalog
Revises: 0001_initial
Create Date: 2026-11-23 01:19:13.991802
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_catalog"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_policies",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=16), nullable=False),
        sa.Column("terminal_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_policies")),
    )
    with op.batch_alter_table("catalog_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_policies_store_id"), ["store_id"], unique=False
        )

    op.create_table(
        "promotions",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=16), nullable=False),
        sa.Column("terminal_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_promotions_store_id")),
    )
    with op.batch_alter_table("promotions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promotions_store_id"), ["store_id"], unique=False)

    op.create_table(
        "device_units",
        sa.Column("imei", sa.String(length=15), nullable=False),
        sa.Column("offering_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=16), nullable=False),
        sa.Column("terminal_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"], ["offerings.id"], name=op.f("fk_device_units_offering_id_offerings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_units")),
        sa.UniqueConstraint("imei", name=op.f("uq_device_units_imei")),
    )
    with op.batch_alter_table("device_units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_units_offering_id"), ["offering_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_device_units_store_id"), ["store_id"], unique=False)

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("family", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("spec", sa.JSON(), nullable=True))
    _convert_offerings()
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.alter_column("spec", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("monthly_fee_minor")
        batch_op.drop_column("vat_rate_bp")
        batch_op.drop_column("price_minor")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("commitment", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("instalments", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("chosen_upfront_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("chosen_amount_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("manual_discount", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("discount_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("financed_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("instalment_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("monthly_discount_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("discounts", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("monthly_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "esim_device_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


_KINDS = {"service": "service_fee"}


def _convert_offerings() -> None:
    """Give every 0001 offering a catalog entry built from its old price columns."""
    conn = op.get_bind()
    offerings = sa.table(
        "offerings",
        sa.column("id", sa.Uuid()),
        sa.column("sku", sa.String()),
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("barcode", sa.String()),
        sa.column("currency", sa.String()),
        sa.column("lifecycle", sa.String()),
        sa.column("serial_kind", sa.String()),
        sa.column("price_minor", sa.BigInteger()),
        sa.column("monthly_fee_minor", sa.BigInteger()),
        sa.column("vat_rate_bp", sa.Integer()),
        sa.column("spec", sa.JSON()),
    )
    for row in conn.execute(sa.select(offerings)).mappings().all():
        kind = _KINDS.get(row["kind"], row["kind"])
        vat = f"{row['vat_rate_bp'] / 100:g}"
        prices = []
        if row["price_minor"]:
            prices.append(_price("oneTime", row["price_minor"], vat, row["currency"]))
        if row["monthly_fee_minor"] is not None:
            prices.append(_price("recurring", row["monthly_fee_minor"], vat, row["currency"]))
        if not prices:
            prices.append(_price("oneTime", 0, vat, row["currency"]))
        spec = {
            "@type": "ProductOffering",
            "id": row["sku"],
            "name": row["name"],
            "kind": kind,
            "lifecycleStatus": row["lifecycle"],
            "productOfferingPrice": prices,
        }
        if row["barcode"]:
            spec["barcode"] = row["barcode"]
        if row["serial_kind"]:
            spec["serial"] = row["serial_kind"]
        conn.execute(
            offerings.update().where(offerings.c.id == row["id"]).values(spec=spec, kind=kind)
        )


def _price(price_type: str, minor: int, vat: str, currency: str) -> dict[str, object]:
    price: dict[str, object] = {
        "priceType": price_type,
        "price": {"taxIncludedAmount": {"value": f"{minor / 100:.2f}", "unit": currency}},
        "taxRate": vat,
    }
    if price_type == "recurring":
        price["recurringChargePeriod"] = "month"
    return price


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("esim_device_confirmed")
        batch_op.drop_column("monthly_minor")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("discounts")
        batch_op.drop_column("monthly_discount_minor")
        batch_op.drop_column("instalment_minor")
        batch_op.drop_column("financed_minor")
        batch_op.drop_column("discount_minor")
        batch_op.drop_column("manual_discount")
        batch_op.drop_column("chosen_amount_minor")
        batch_op.drop_column("chosen_upfront_minor")
        batch_op.drop_column("instalments")
        batch_op.drop_column("commitment")

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("price_minor", sa.BIGINT(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("vat_rate_bp", sa.INTEGER(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("monthly_fee_minor", sa.BIGINT(), nullable=True))
        batch_op.drop_column("spec")
        batch_op.drop_column("position")
        batch_op.drop_column("family")

    with op.batch_alter_table("device_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_units_store_id"))
        batch_op.drop_index(batch_op.f("ix_device_units_offering_id"))

    op.drop_table("device_units")
    with op.batch_alter_table("promotions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promotions_store_id"))

    op.drop_table("promotions")
    with op.batch_alter_table("catalog_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_policies_store_id"))

    op.drop_table("catalog_policies")
