"""rebuild the customer search index: name skeletons now treat s, z, ts and a soft c as one
sibilant and read text NFKC-normalised

Revision ID: 0007_search_reindex
Revises: 0006_held_baskets
Create Date: 2026-11-23 05:45:00
"""

from __future__ import annotations

from alembic import op

from app.services import customer_index

revision = "0007_search_reindex"
down_revision = "0006_held_baskets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if customer_index.has_index(conn):
        customer_index.rebuild_all(conn)


def downgrade() -> None:
    """The index is derived data; the older rules' index is rebuilt by their own code."""
