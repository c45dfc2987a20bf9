"""The Binance USD-M adapter against the exchange simulator's futures dialect, over real HTTP and websockets."""
from __future__ import annotations

import queue
import threading
import uuid
from decimal import Decimal

import pytest

from exchange_simulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from order_service.adapters.binance_futures import from_settings
from shared.domain.enums import InstrumentKind, Liquidity, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order
from shared.settings import Secret, VenueSettings


@pytest.fixture
def sim(sim):
    """The simulator, with the futures stream clients dropped before it stops."""
    yield sim
    sim.admin("POST", "/admin/faults", {"venue": "binance-futures", "kind": "drop_websockets"})


@pytest.fixture
def adapter(sim):
    ws_base = sim.base_url.replace("http://", "ws://")
    venue = from_settings(VenueSettings(
        "binance-futures", sim.base_url + "/binance-futures/fapi", ws_base + "/binance-futures",
        Secret(DEFAULT_API_KEY), Secret(DEFAULT_API_SECRET), is_simulator=True))
    yield venue
    venue.close()


def new_order(type_: OrderType = OrderType.LIMIT, side: Side = Side.BUY, quantity: str = "0.010",
              price: str | None = "60000", symbol: str = "BTCUSDT", **extra) -> Order:
    client_id = uuid.uuid4().hex[:20]
    return Order(id=client_id, client_order_id=client_id, venue="binance-futures", symbol=symbol, side=side,
                 type=type_, quantity=Decimal(quantity), price=Decimal(price) if price else None,
                 time_in_force=TimeInForce.GTC if type_ is OrderType.LIMIT else None, **extra)


def best(sim, side: str) -> Decimal:
    ticker = sim.client.http.get(sim.base_url + "/binance-futures/fapi/v1/ticker/bookTicker",
                                 params={"symbol": "BTCUSDT"}, timeout=5).json()
    return Decimal(ticker["bidPrice" if side == "bid" else "askPrice"])


def test_instruments_are_the_perpetuals(adapter):
    instruments = {i.symbol: i for i in adapter.load_instruments()}
    assert set(instruments) == {"BTCUSDT", "ETHUSDT", "SOLUSDT"}
    btc = instruments["BTCUSDT"]
    assert (btc.venue, btc.kind, btc.tick_size, btc.step_size, btc.min_notional) == \
        ("binance-futures", InstrumentKind.PERPETUAL, Decimal("0.1"), Decimal("0.001"), Decimal("100"))


def test_market_order_fills_with_its_fills_and_opens_a_position(adapter):
    order = new_order(OrderType.MARKET, price=None, quantity="0.020")
    report = adapter.submit(order)
    assert report.status is OrderStatus.FILLED and report.client_order_id == order.client_order_id
    assert report.filled_quantity == Decimal("0.020") and report.venue_order_id
    assert sum(f.quantity for f in report.fills) == Decimal("0.020")
    assert all(f.liquidity is Liquidity.TAKER and f.fee_asset == "USDT" and f.fee > 0 for f in report.fills)
    assert report.average_price == sum(f.quantity * f.price for f in report.fills) / Decimal("0.020")
    assert adapter.fills(order) == list(report.fills)

    [position] = adapter.positions("BTCUSDT")
    assert position.amount == Decimal("0.02") and position.entry_price == report.average_price


def test_limit_order_rests_is_queried_and_cancels(adapter):
    order = new_order(price="60000")
    placed = adapter.submit(order)
    assert placed.status is OrderStatus.NEW and placed.fills == ()
    assert [r.client_order_id for r in adapter.open_orders("BTCUSDT")] == [order.client_order_id]
    assert adapter.query(order).status is OrderStatus.NEW
    canceled = adapter.cancel(order)
    assert canceled.status is OrderStatus.CANCELED and canceled.venue_order_id == placed.venue_order_id
    assert adapter.open_orders() == []
    with pytest.raises(VenueRejected) as caught:
        adapter.cancel(order)
    assert caught.value.code == -2011


def test_an_order_the_venue_never_saw_queries_as_none(adapter):
    assert adapter.query(new_order()) is None


@pytest.mark.parametrize("order, code, message", [
    (lambda: new_order(OrderType.MARKET, price=None, quantity="0.001"), -4164,
     "Order's notional must be no smaller than 100 (unless you choose reduce only)."),
    (lambda: new_order(OrderType.MARKET, price=None, quantity="50"), -2019, "Margin is insufficient."),
    (lambda: new_order(OrderType.MARKET, price=None, side=Side.SELL, reduce_only=True), -2022,
     "ReduceOnly Order is rejected."),
    (lambda: new_order(price="70000", post_only=True), -5022,
     "Due to the order could not be executed as maker, the Post Only order will be rejected. "
     "The order will not be recorded in the order history"),
    (lambda: new_order(price="60000.05"), -1013, "Filter failure: PRICE_FILTER"),
])
def test_rejections_reach_the_caller_with_binance_code_and_message(adapter, order, code, message):
    with pytest.raises(VenueRejected) as caught:
        adapter.submit(order())
    assert (caught.value.code, caught.value.message) == (code, message)


def test_reduce_only_closes_the_position(adapter):
    adapter.submit(new_order(OrderType.MARKET, price=None, quantity="0.030"))
    closing = adapter.submit(new_order(OrderType.MARKET, price=None, quantity="0.030", side=Side.SELL,
                                       reduce_only=True))
    assert closing.status is OrderStatus.FILLED and closing.fills
    [position] = adapter.positions("BTCUSDT")
    assert position.amount == 0


def test_leverage_can_be_changed(adapter):
    assert adapter.set_leverage("BTCUSDT", 10) == 10
    assert adapter.positions("BTCUSDT")[0].leverage == 10


def test_user_stream_delivers_the_fill_when_spot_moves_through_a_resting_order(sim, adapter):
    reports: queue.Queue = queue.Queue()
    connected = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(target=adapter.stream_executions,
                              args=(reports.put, stop.is_set, connected.set), daemon=True)
    thread.start()
    try:
        assert connected.wait(5)
        price = best(sim, "bid") - 100
        order = new_order(price=f"{price:f}")
        adapter.submit(order)
        assert reports.get(timeout=5).status is OrderStatus.NEW

        response = sim.admin("POST", "/admin/markets/BTCUSDT/mid", {"venue": "binance", "price": f"{price - 50:f}"})
        assert response.status_code == 200, response.text

        filled = reports.get(timeout=5)
        assert (filled.client_order_id, filled.status, filled.filled_quantity) == \
            (order.client_order_id, OrderStatus.FILLED, Decimal("0.010"))
        [fill] = filled.fills
        assert (fill.price, fill.liquidity, fill.fee_asset) == (price, Liquidity.MAKER, "USDT")
        assert fill.fee == price * Decimal("0.010") * Decimal("0.0002")
    finally:
        stop.set()
        thread.join(timeout=5)
