from __future__ import annotations

import pytest

from shared.settings import Settings, VenueSettings

from order_service.app import create_app
from order_service.outbox import OutboxPublisher
from order_service.service import OrderService
from order_service.store import OrderStore
from order_service.venues import VenueRegistry
from tests.unit.order_service.fakes import FakeBus, FakeVenue


@pytest.fixture
def venue() -> FakeVenue:
    return FakeVenue()


@pytest.fixture
def bus() -> FakeBus:
    return FakeBus()


@pytest.fixture
def store(tmp_path):
    store = OrderStore.from_url(f"sqlite:///{tmp_path / 'orders.db'}")
    yield store
    store.dispose()


@pytest.fixture
def service(store, venue, bus) -> OrderService:
    settings = VenueSettings(name="fake", rest_url="http://fake", ws_url=None, api_key=None, api_secret=None,
                             is_simulator=True)
    return OrderService(store, VenueRegistry({"fake": settings}, {"fake": venue}), OutboxPublisher(store, bus))


@pytest.fixture
def client(service):
    app = create_app(Settings(), service=service)
    return app.test_client()
