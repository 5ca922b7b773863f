"""What an operation changed, so each screen can decide whether to refresh (like OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    customer: bool = False
    basket: bool = False
    stock: bool = False
    till: bool = False
    cases: bool = False
    sync: bool = False
