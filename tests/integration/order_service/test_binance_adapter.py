"""The Binance spot adapter against the exchange simulator's Binance dialect, over real HTTP and websockets."""
from __future__ import annotations

import queue
import threading
import uuid
from decimal import Decimal

import pytest

from exchange_simulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from order_service.adapters.binance import BinanceConfig, BinanceSpotAdapter
from shared.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.order import Order

ORDER_PATH = "/binance/api/v3/order"


@pytest.fixture
def adapter(sim):
    config = BinanceConfig(rest_url=sim.api_url, ws_url=sim.ws_url, api_key=DEFAULT_API_KEY,
                           api_secret=DEFAULT_API_SECRET, timeout=(2.0, 5.0))
    venue = BinanceSpotAdapter(config)
    yield venue
    venue.close()


def new_order(type_: OrderType = OrderType.LIMIT, side: Side = Side.BUY, quantity: str = "0.01",
              price: str | None = "60000", symbol: str = "BTCUSDT") -> Order:
    client_id = uuid.uuid4().hex[:20]
    return Order(id=client_id, client_order_id=client_id, venue="binance", symbol=symbol, side=side, type=type_,
                 quantity=Decimal(quantity), price=Decimal(price) if price else None,
                 time_in_force=TimeInForce.GTC if type_ is OrderType.LIMIT else None)


def fault(sim, kind: str, **options) -> None:
    response = sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": kind, **options})
    assert response.status_code in (200, 201), response.text


def move_mid(sim, symbol: str, price: str) -> None:
    response = sim.admin("POST", f"/admin/markets/{symbol}/mid", {"price": price})
    assert response.status_code == 200, response.text


def test_instruments_come_from_exchange_info(adapter):
    instruments = {i.symbol: i for i in adapter.load_instruments()}
    btc = instruments["BTCUSDT"]
    assert (btc.venue, btc.base, btc.quote) == ("binance", "BTC", "USDT")
    assert (str(btc.tick_size), str(btc.step_size), str(btc.min_notional)) == ("0.01", "0.00001", "5")


def test_market_order_fills_and_reports_its_fills(adapter):
    order = new_order(OrderType.MARKET, quantity="0.02", price=None)
    report = adapter.submit(order)
    assert report.status is OrderStatus.FILLED
    assert report.client_order_id == order.client_order_id and report.venue_order_id
    assert report.filled_quantity == Decimal("0.02")
    assert sum(f.quantity for f in report.fills) == Decimal("0.02")
    assert all(f.liquidity is Liquidity.TAKER and f.venue_trade_id for f in report.fills)
    notional = sum(f.quantity * f.price for f in report.fills)
    assert report.average_price == pytest.approx(notional / Decimal("0.02"))


def test_limit_order_rests_then_cancels(adapter):
    order = new_order(price="50000")
    placed = adapter.submit(order)
    assert placed.status is OrderStatus.NEW and placed.fills == ()
    assert order.client_order_id in {r.client_order_id for r in adapter.open_orders("BTCUSDT")}

    canceled = adapter.cancel(order)
    assert canceled.status is OrderStatus.CANCELED and canceled.client_order_id == order.client_order_id
    assert adapter.query(order).status is OrderStatus.CANCELED
    assert order.client_order_id not in {r.client_order_id for r in adapter.open_orders()}


def test_unknown_orders(adapter):
    with pytest.raises(VenueRejected) as raised:
        adapter.cancel(new_order())
    assert raised.value.code == -2011
    assert adapter.query(new_order()) is None


def test_insufficient_balance_is_rejected_with_binances_message(adapter):
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(new_order(OrderType.MARKET, quantity="5", price=None))  # ~325000 USDT, holds 100000
    assert raised.value.code == -2010
    assert raised.value.message == "Account has insufficient balance for requested action."


def test_post_only_that_would_take_is_rejected(adapter):
    order = new_order(price="70000")
    order.post_only = True
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(order)
    assert (raised.value.code, raised.value.message) == (-2010, "Order would immediately match and take.")


def test_ioc_that_cannot_trade_expires(adapter):
    order = new_order(price="50000")
    order.time_in_force = TimeInForce.IOC
    report = adapter.submit(order)
    assert report.status is OrderStatus.EXPIRED and report.filled_quantity == 0


@pytest.mark.parametrize("type_, side, price, stop", [
    (OrderType.STOP_MARKET, Side.SELL, None, "60000"),
    (OrderType.STOP_LIMIT, Side.BUY, "70100", "70000"),
])
def test_stop_orders_wait_for_their_trigger(adapter, type_, side, price, stop):
    order = new_order(type_, side=side, price=price)
    order.stop_price = Decimal(stop)
    order.time_in_force = TimeInForce.GTC if type_ is OrderType.STOP_LIMIT else None
    report = adapter.submit(order)
    assert report.status is OrderStatus.NEW and report.filled_quantity == 0
    assert adapter.cancel(order).status is OrderStatus.CANCELED


def test_day_orders_are_refused_before_reaching_the_venue(adapter):
    order = new_order()
    order.time_in_force = TimeInForce.DAY
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(order)
    assert raised.value.code == "UNSUPPORTED"
    assert adapter.query(order) is None


def test_5xx_is_an_unknown_outcome(sim, adapter):
    fault(sim, "http_5xx", path=ORDER_PATH)
    with pytest.raises(VenueUnknownOutcome):
        adapter.submit(new_order(price="50000"))


def test_backend_timeout_is_an_unknown_outcome_and_the_order_can_be_found(sim, adapter):
    fault(sim, "timeout_1007", path=ORDER_PATH, execute=True)
    order = new_order(price="50000")
    with pytest.raises(VenueUnknownOutcome) as raised:
        adapter.submit(order)
    assert raised.value.code == -1007
    # The venue did take it: asking by client order id is how the system learns that.
    assert adapter.query(order).status is OrderStatus.NEW


def test_rate_limit_is_temporary_and_holds_further_requests(sim, adapter):
    adapter.load_instruments()
    fault(sim, "rate_limit_429", retry_after=30)
    with pytest.raises(VenueTemporaryError) as raised:
        adapter.submit(new_order(price="50000"))
    assert raised.value.http_status == 429 and raised.value.retry_after == 30
    with pytest.raises(VenueTemporaryError) as held:
        adapter.submit(new_order(price="50000"))
    assert 0 < held.value.retry_after <= 30
    assert sim.admin("GET", "/admin/faults").json() == []  # the fault was used once: the second never left


class StreamRunner:
    """Runs the adapter's user stream in a thread and hands reports to the test through a queue."""

    def __init__(self, adapter: BinanceSpotAdapter) -> None:
        self.reports: queue.Queue = queue.Queue()
        self.connections: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=adapter.stream_executions,
            args=(self.reports.put, self._stop.is_set),
            kwargs={"on_connected": lambda: self.connections.put(True)}, daemon=True)

    def __enter__(self) -> "StreamRunner":
        self._thread.start()
        self.connections.get(timeout=5)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the stream did not stop when asked"

    def fill_of(self, client_order_id: str):
        while True:
            report = self.reports.get(timeout=5)
            if report.client_order_id == client_order_id and report.fills:
                return report


def test_user_stream_delivers_fills_and_survives_a_drop(sim, adapter):
    with StreamRunner(adapter) as stream:
        resting = new_order(side=Side.BUY, price="64000")
        adapter.submit(resting)
        move_mid(sim, "BTCUSDT", "63000")
        report = stream.fill_of(resting.client_order_id)
        assert report.status in (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED)
        assert report.fills[0].price <= Decimal("64000") and report.fills[0].liquidity is Liquidity.MAKER
        assert report.venue_order_id is not None

        fault(sim, "drop_websockets")
        stream.connections.get(timeout=5)  # reconnected
        second = new_order(side=Side.SELL, price="64000")
        adapter.submit(second)
        move_mid(sim, "BTCUSDT", "65000")
        assert stream.fill_of(second.client_order_id).fills[0].price >= Decimal("64000")


def test_amend_replaces_the_resting_order(adapter):
    order = new_order(price="50000")
    adapter.submit(order)
    report = adapter.amend(order, Decimal("0.02"), Decimal("51000"))
    assert report.client_order_id == f"{order.client_order_id}-r1"
    assert report.status is OrderStatus.NEW and report.price == Decimal("51000")
    assert report.quantity == Decimal("0.02")
    order.amend(Decimal("0.02"), Decimal("51000"), report.venue_order_id, report.client_order_id)
    assert adapter.query(order).price == Decimal("51000")


def test_fills_of_an_order_can_be_recovered(adapter):
    order = new_order(OrderType.MARKET, quantity="0.01", price=None)
    report = adapter.submit(order)
    order.venue_order_id = report.venue_order_id
    recovered = adapter.fills(order)
    assert {f.venue_trade_id for f in recovered} == {f.venue_trade_id for f in report.fills}
    assert sum(f.quantity for f in recovered) == Decimal("0.01")
