"""StoreDesk application layer: use cases, composition root, persistence, documents, CLI.

Nothing here imports Qt. The UI reaches data and devices only through these services.
"""
