"""The Flowa adapter against the exchange simulator's Flowa dialect, over real HTTP and websockets."""
from __future__ import annotations

import queue
import threading
import time
import uuid
from decimal import Decimal

import pytest

from order_service.adapters.flowa import FlowaAdapter, FlowaConfig, from_settings
from order_service.venues import adapter_factories
from shared.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.order import Order
from shared.settings import SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET, Settings


@pytest.fixture
def adapter(sim):
    settings = Settings.from_env(environ={"SIM_URL": sim.base_url}, dotenv_path=None)
    venue = adapter_factories()["b3"](settings.venues["b3"])
    yield venue
    venue.close()


def new_order(type_: OrderType = OrderType.LIMIT, side: Side = Side.BUY, quantity: str = "100",
              price: str | None = "37.00", symbol: str = "PETR4") -> Order:
    client_id = uuid.uuid4().hex[:20]
    return Order(id=client_id, client_order_id=client_id, venue="b3", symbol=symbol, side=side, type=type_,
                 quantity=Decimal(quantity), price=Decimal(price) if price else None, broker="308", account="12345",
                 time_in_force=TimeInForce.DAY if type_ is OrderType.LIMIT else None)


def placed(adapter: FlowaAdapter, order: Order):
    report = adapter.submit(order)
    order.venue_order_id = report.venue_order_id
    return report


def admin(sim, path: str, body: dict) -> dict:
    answer = sim.admin("POST", path, body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


class StreamRunner:
    """The adapter's execution stream in a thread, its reports and connections observable."""

    def __init__(self, adapter: FlowaAdapter) -> None:
        self.reports: queue.Queue = queue.Queue()
        self.connected: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=adapter.stream_executions, daemon=True,
                                       args=(self.reports.put, self.stopping.is_set, lambda: self.connected.put(1)))
        self.thread.start()
        self.connected.get(timeout=10)

    def report_for(self, order: Order, status: OrderStatus, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            report = self.reports.get(timeout=max(deadline - time.monotonic(), 0.01))
            if report.client_order_id == order.client_order_id and report.status is status:
                return report

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


@pytest.fixture
def stream(adapter):
    runner = StreamRunner(adapter)
    yield runner
    runner.stop()


def test_the_b3_venue_uses_this_adapter_with_the_simulator_settings(adapter):
    assert isinstance(adapter, FlowaAdapter) and adapter.name == "b3"
    assert adapter.required_order_fields == ("broker", "account")
    instruments = {i.symbol for i in adapter.load_instruments()}
    assert {"BITH11", "ETHE11", "SOLH11", "PETR4", "VALE3", "BOVA11"} <= instruments


def test_limit_order_rests_is_amended_in_place_and_cancelled(adapter):
    order = new_order()
    report = placed(adapter, order)
    assert (report.status, report.client_order_id, report.filled_quantity) == (OrderStatus.NEW, order.client_order_id, 0)
    assert report.venue_order_id and report.price == Decimal("37")
    assert order.client_order_id in {r.client_order_id for r in adapter.open_orders("PETR4")}

    amended = adapter.amend(order, Decimal("300"), Decimal("37.10"))
    assert (amended.client_order_id, amended.venue_order_id) == (order.client_order_id, order.venue_order_id)
    assert (amended.quantity, amended.price, amended.status) == (Decimal("300"), Decimal("37.1"), OrderStatus.NEW)

    canceled = adapter.cancel(order)
    assert canceled.status is OrderStatus.CANCELED and canceled.client_order_id == order.client_order_id
    assert adapter.query(order).status is OrderStatus.CANCELED
    assert order.client_order_id not in {r.client_order_id for r in adapter.open_orders()}
    with pytest.raises(VenueRejected) as raised:
        adapter.cancel(order)
    assert raised.value.code == 409


def test_market_order_fills_with_venue_trade_ids(adapter):
    order = new_order(OrderType.MARKET, side=Side.SELL, quantity="500", price=None, symbol="VALE3")
    report = placed(adapter, order)
    assert (report.status, report.filled_quantity) == (OrderStatus.FILLED, Decimal("500"))
    assert sum(f.quantity for f in report.fills) == Decimal("500") and all(f.venue_trade_id for f in report.fills)
    assert report.average_price == sum(f.quantity * f.price for f in report.fills) / 500
    assert adapter.fills(order) == list(report.fills)


def test_rejection_carries_the_venues_message(adapter):
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(new_order(quantity="150"))
    assert (raised.value.code, raised.value.message) == (422, "Quantity must be a multiple of the lot size 100")
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(new_order(symbol="NOPE3"))
    assert (raised.value.code, raised.value.message) == (400, "Unknown symbol NOPE3")


def test_unknown_orders(adapter):
    assert adapter.query(new_order()) is None
    with pytest.raises(VenueRejected):
        adapter.cancel(new_order())


def test_expired_token_is_renewed_once(sim, adapter):
    placed(adapter, new_order())
    first = adapter.tokens.token()
    assert sim.admin("POST", "/flowa/sim/expire-tokens", {}).json()["expired"] >= 1
    order = new_order()
    assert placed(adapter, order).status is OrderStatus.NEW
    assert adapter.tokens.token() != first


def test_unknown_outcome_is_settled_by_custom_id(sim, adapter):
    admin(sim, "/admin/faults", {"venue": "flowa", "kind": "http_5xx", "path": "/flowa/api/simple-order",
                                 "execute": True})
    order = new_order()
    with pytest.raises(VenueUnknownOutcome):
        adapter.submit(order)
    found = adapter.query(order)  # no StrategyId known yet: looked up by CustomId
    assert found.status is OrderStatus.NEW and found.venue_order_id


def test_connection_refused_is_temporary():
    closed = FlowaAdapter(FlowaConfig(rest_url="http://127.0.0.1:9/flowa", token_url="http://127.0.0.1:9/flowa/connect/token",
                                      ws_url="ws://127.0.0.1:9/flowa/ws", client_id=SIM_FLOWA_CLIENT_ID,
                                      client_secret=SIM_FLOWA_SECRET, timeout=(1, 1)))
    with pytest.raises(VenueTemporaryError):
        closed.submit(new_order())


def test_stream_reports_fills_and_recovers_a_fill_made_while_disconnected(sim, adapter, stream):
    order = new_order(side=Side.SELL, price="38.50")
    placed(adapter, order)
    stream.report_for(order, OrderStatus.NEW)

    admin(sim, "/admin/faults", {"venue": "flowa", "kind": "drop_websockets"})
    admin(sim, "/admin/markets/PETR4/mid", {"venue": "b3", "price": "38.60"})  # trades through the resting sell
    stream.connected.get(timeout=10)  # reconnected: this is when the worker reconciles

    recovered = adapter.query(order)
    assert (recovered.status, recovered.filled_quantity) == (OrderStatus.FILLED, Decimal("100"))
    fills = adapter.fills(order)
    assert [(f.quantity, f.price) for f in fills] == [(Decimal("100"), Decimal("38.5"))] and fills[0].venue_trade_id


def test_resting_etf_order_fills_when_bitcoin_moves_its_inav(sim, adapter, stream):
    inav = Decimal(sim.admin("GET", "/admin/fx", None).json()["inav"]["BITH11"])
    order = new_order(side=Side.SELL, quantity="40", price=str((inav * Decimal("1.01")).quantize(Decimal("0.01"))),
                      symbol="BITH11")
    placed(adapter, order)
    stream.report_for(order, OrderStatus.NEW)

    btc = Decimal(sim.admin("GET", "/admin/markets?venue=binance", None).json()["markets"][0]["mid"])
    admin(sim, "/admin/markets/BTCUSDT/mid", {"venue": "binance", "price": str(btc * Decimal("1.03"))})

    filled = stream.report_for(order, OrderStatus.FILLED)
    assert filled.filled_quantity == Decimal("40") and filled.average_price >= order.price
    assert sum(f.quantity for f in filled.fills) == Decimal("40") and all(f.venue_trade_id for f in filled.fills)


def test_from_settings_reads_the_b3_variables():
    settings = Settings.from_env(environ={"ENV": "DEV", "FLOWA_ENDPOINT": "https://flowa.example/api-root",
                                          "FLOWA_TOKEN_ENDPOINT": "https://auth.example/connect/token",
                                          "FLOWA_WS_ENDPOINT": "wss://flowa.example/ws",
                                          "FLOWA_CLIENT_ID": "me", "FLOWA_API_SECRET": "s"}, dotenv_path=None)
    venue = from_settings(settings.venues["b3"])
    assert venue.name == "b3"
