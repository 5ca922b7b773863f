"""Sync with the central PostgreSQL database (DESIGN.md 4.8)."""
