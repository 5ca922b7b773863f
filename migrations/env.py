"""Alembic environment: uses the connection handed over by app.db.migrate."""

from __future__ import annotations

from alembic import context

from app.db.migrate import include_object
from app.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through app.db.migrate, which provides the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
