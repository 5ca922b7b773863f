"""cases: links and people as plain ids (a case travels to stores without those rows)

Revision ID: 0014_case_links
Revises: 0013_cases
Create Date: 2026-11-30 10:12:00.000000

The back office and the stores that work a case's group receive the case, its history,
comments and attachments, but not the opening store's customers, orders, payments or
staff. Those references stay as ids (checked by the service when they are set) instead
of foreign keys that a pulled case could not satisfy.
"""

from __future__ import annotations

from alembic import op

revision = "0014_case_links"
down_revision = "0013_cases"
branch_labels = None
depends_on = None

_CASE_LINKS = (
    ("assignee_user_id", "users"),
    ("customer_id", "customers"),
    ("device_id", "device_units"),
    ("opened_by", "users"),
    ("order_id", "orders"),
    ("payment_id", "payments"),
    ("subscription_id", "subscriptions"),
)
_HISTORY = ("case_attachments", "case_comments", "case_events")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column, table in _CASE_LINKS:
            batch_op.drop_constraint(f"fk_cases_{column}_{table}", type_="foreignkey")
    for table in _HISTORY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_user_id_users", type_="foreignkey")


def downgrade() -> None:
    for table in _HISTORY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(f"fk_{table}_user_id_users", "users", ["user_id"], ["id"])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column, table in _CASE_LINKS:
            batch_op.create_foreign_key(f"fk_cases_{column}_{table}", table, [column], ["id"])
