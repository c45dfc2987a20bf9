"""The Coinbase adapter against the exchange simulator's Coinbase dialect, over real HTTP with real JWTs."""
from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from order_service.adapters.coinbase import CoinbaseAdapter, CoinbaseConfig
from shared.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected, VenueUnknownOutcome
from shared.domain.order import Order
from shared.settings import SIM_COINBASE_KEY_NAME, SIM_COINBASE_PRIVATE_KEY


def make_adapter(sim, private_key: str = SIM_COINBASE_PRIVATE_KEY, poll_interval: float = 0.05) -> CoinbaseAdapter:
    return CoinbaseAdapter(CoinbaseConfig(rest_url=sim.base_url + "/coinbase", key_name=SIM_COINBASE_KEY_NAME,
                                          private_key=private_key, timeout=(2.0, 5.0), poll_interval=poll_interval))


@pytest.fixture
def adapter(sim):
    venue = make_adapter(sim)
    yield venue
    venue.close()


def new_order(type_: OrderType = OrderType.LIMIT, side: Side = Side.BUY, quantity: str = "0.01",
              price: str | None = "60000", symbol: str = "BTC-USD") -> Order:
    client_id = uuid.uuid4().hex
    return Order(id=client_id, client_order_id=client_id, venue="coinbase", symbol=symbol, side=side, type=type_,
                 quantity=Decimal(quantity), price=Decimal(price) if price else None,
                 time_in_force=TimeInForce.GTC if type_ is OrderType.LIMIT else None)


def move_btc(sim, price: str) -> None:
    response = sim.admin("POST", "/admin/markets/BTCUSDT/mid", {"venue": "binance", "price": price})
    assert response.status_code == 200, response.text


def test_instruments_come_from_products(adapter):
    instruments = {i.symbol: i for i in adapter.load_instruments()}
    btc = instruments["BTC-USD"]
    assert (btc.venue, btc.base, btc.quote, btc.tick_size, btc.step_size) == (
        "coinbase", "BTC", "USD", Decimal("0.01"), Decimal("0.00000001"))
    assert btc.min_notional == Decimal(1)


def test_market_order_fills_with_its_fills(adapter):
    order = new_order(OrderType.MARKET, quantity="0.02", price=None)
    report = adapter.submit(order)
    assert report.status is OrderStatus.FILLED and report.client_order_id == order.client_order_id
    assert report.filled_quantity == Decimal("0.02") and report.venue_order_id
    assert sum(f.quantity for f in report.fills) == Decimal("0.02")
    assert all(f.liquidity is Liquidity.TAKER and f.fee > 0 and f.fee_asset == "USD" for f in report.fills)
    order.venue_order_id = report.venue_order_id
    assert [f.venue_trade_id for f in adapter.fills(order)] == [f.venue_trade_id for f in report.fills]


def test_limit_order_rests_then_cancels(adapter):
    order = new_order(price="50000")
    placed = adapter.submit(order)
    assert placed.status is OrderStatus.NEW and placed.fills == ()
    assert order.client_order_id in {r.client_order_id for r in adapter.open_orders("BTC-USD")}
    assert adapter.query(order).venue_order_id == placed.venue_order_id  # found by client order id alone

    order.venue_order_id = placed.venue_order_id
    canceled = adapter.cancel(order)
    assert canceled.status is OrderStatus.CANCELED
    assert adapter.open_orders() == []
    with pytest.raises(VenueRejected) as again:
        adapter.cancel(order)
    assert again.value.code == "DUPLICATE_CANCEL_REQUEST"


def test_rejection_carries_coinbase_error(adapter):
    with pytest.raises(VenueRejected) as refused:
        adapter.submit(new_order(quantity="100", price="60000"))
    assert refused.value.code == "INSUFFICIENT_FUND"
    post_only = new_order(price="90000")
    post_only.post_only = True
    with pytest.raises(VenueRejected) as taking:
        adapter.submit(post_only)
    assert taking.value.code == "INVALID_LIMIT_PRICE_POST_ONLY"


def test_query_of_an_order_never_sent_is_none(adapter):
    assert adapter.query(new_order()) is None


def test_a_key_coinbase_does_not_know_is_refused_clearly(sim):
    stranger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    venue = make_adapter(sim, private_key=stranger)
    try:
        with pytest.raises(VenueRejected) as refused:
            venue.submit(new_order())
        assert refused.value.code == "UNAUTHENTICATED" and "JWT" in refused.value.message
        with pytest.raises(VenueRejected):
            venue.open_orders()
    finally:
        venue.close()
    assert sim.simulator.world.venue("coinbase").engine.open_orders("coinbase-dev") == []


def test_server_error_on_submit_is_an_unknown_outcome_and_query_finds_the_order(sim, adapter):
    response = sim.admin("POST", "/admin/faults", {"venue": "coinbase", "kind": "http_5xx", "count": 1,
                                                   "path": "/coinbase/api/v3/brokerage/orders", "execute": True})
    assert response.status_code in (200, 201)
    order = new_order(price="50000")
    with pytest.raises(VenueUnknownOutcome):
        adapter.submit(order)
    found = adapter.query(order)
    assert found is not None and found.status is OrderStatus.NEW


def test_stream_reports_fills_including_one_made_while_it_was_stopped(sim, adapter):
    resting = new_order(price="60000", quantity="0.01")
    adapter.submit(resting)
    reports, connected = [], threading.Event()
    stop = threading.Event()

    def run_stream() -> threading.Thread:
        stop.clear()
        thread = threading.Thread(target=adapter.stream_executions,
                                  args=(reports.append, stop.is_set, connected.set), daemon=True)
        thread.start()
        return thread

    thread = run_stream()
    assert connected.wait(5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()

    move_btc(sim, "59000")  # fills the resting buy while nothing is polling
    thread = run_stream()
    for _ in range(100):
        if any(r.client_order_id == resting.client_order_id and r.fills for r in reports):
            break
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    [report] = [r for r in reports if r.client_order_id == resting.client_order_id and r.fills]
    assert report.status is OrderStatus.FILLED
    assert sum(f.quantity for f in report.fills) == Decimal("0.01")
    assert all(f.liquidity is Liquidity.MAKER for f in report.fills)
