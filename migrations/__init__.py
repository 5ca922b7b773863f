"""Alembic migrations for the local SQLite and the central PostgreSQL schema.

Run from the app (``app.db.migrate``), never with the ``alembic`` command, so that a frozen
build can migrate too. ``render_as_batch=True`` makes ALTERs work on SQLite.
"""
