"""Persistence: SQLAlchemy mapping, engine set-up, unit of work and migrations."""
