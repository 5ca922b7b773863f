"""The demo store's staff, logged in, for the service tests."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.auth import UserInfo


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    """A consultant."""
    return demo_services.auth.login("anna", "1111")


@pytest.fixture
def maria(demo_services: Services) -> UserInfo:
    """The store manager."""
    return demo_services.auth.login("maria", "3333")


@pytest.fixture
def boris(demo_services: Services) -> UserInfo:
    """A second-line agent (works the case queues)."""
    return demo_services.auth.login("boris", "2222")
