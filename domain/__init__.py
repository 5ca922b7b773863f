"""The business of a StoreDesk store in plain Python (standard library only)."""
