from decimal import Decimal

import pytest

from order_service.adapters.binance.adapter import BinanceSpotAdapter
from shared.domain.enums import Liquidity, OrderStatus, TimeInForce
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.venue import VenueAdapter
from tests.unit.order_service.adapters.conftest import make_order as order


def answer(**overrides) -> dict:
    body = {"symbol": "BTCUSDT", "orderId": 7, "orderListId": -1, "clientOrderId": "client-1",
            "transactTime": 1_700_000_000_000, "price": "65000.00", "origQty": "0.50000000",
            "executedQty": "0.00000000", "cummulativeQuoteQty": "0.00000000", "status": "NEW",
            "timeInForce": "GTC", "type": "LIMIT", "side": "BUY", "fills": []}
    body.update(overrides)
    return body


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def adapter(config, sleeps):
    venue = BinanceSpotAdapter(config, sleep=sleeps.append)
    yield venue
    venue.close()


def test_is_a_venue_adapter(adapter):
    assert isinstance(adapter, VenueAdapter) and adapter.name == "binance"


def test_submit_sends_the_order_and_reads_the_answer(fake_binance, adapter):
    fake_binance.reply("POST", "/v3/order", answer(
        status="FILLED", executedQty="0.50000000", cummulativeQuoteQty="32500.00000000",
        fills=[{"price": "65000.00", "qty": "0.50000000", "commission": "0.00050000", "commissionAsset": "BTC",
                "tradeId": 99}]))
    report = adapter.submit(order())
    sent = fake_binance.calls("POST", "/v3/order")[0].params
    assert {k: sent[k] for k in ("symbol", "side", "type", "timeInForce", "quantity", "price",
                                 "newClientOrderId", "newOrderRespType")} == {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.5",
        "price": "65000", "newClientOrderId": "client-1", "newOrderRespType": "FULL"}
    assert report.status is OrderStatus.FILLED and report.venue_order_id == "7"
    assert report.average_price == Decimal("65000")
    assert report.fills[0].venue_trade_id == "99" and report.fills[0].liquidity is Liquidity.TAKER


def test_submit_with_day_is_refused_without_calling_binance(fake_binance, adapter):
    with pytest.raises(VenueRejected) as raised:
        adapter.submit(order(time_in_force=TimeInForce.DAY))
    assert raised.value.code == "UNSUPPORTED"
    assert fake_binance.requests == []


def test_submit_is_never_retried(fake_binance, adapter):
    fake_binance.reply("POST", "/v3/order", {"code": -1003, "msg": "Too many requests."}, status=429,
                       headers={"Retry-After": "0"})
    fake_binance.reply("POST", "/v3/order", "", status=503)
    with pytest.raises(VenueTemporaryError):
        adapter.submit(order())
    with pytest.raises(VenueUnknownOutcome):
        adapter.submit(order())
    assert len(fake_binance.calls("POST", "/v3/order")) == 2


def test_cancel_by_client_id_is_retried_on_temporary_errors(fake_binance, adapter, sleeps):
    fake_binance.reply("DELETE", "/v3/order", {"code": -1003, "msg": "Too many requests."}, status=429,
                       headers={"Retry-After": "0"})
    fake_binance.reply("DELETE", "/v3/order", answer(status="CANCELED", clientOrderId="x9", origClientOrderId="client-1"))
    report = adapter.cancel(order())
    assert report.status is OrderStatus.CANCELED and report.client_order_id == "client-1"
    calls = fake_binance.calls("DELETE", "/v3/order")
    assert len(calls) == 2 and calls[-1].params["origClientOrderId"] == "client-1"
    assert sleeps == [0.0]


def test_cancel_of_an_unknown_order_is_rejected(fake_binance, adapter):
    fake_binance.reply("DELETE", "/v3/order", {"code": -2011, "msg": "Unknown order sent."}, status=400)
    with pytest.raises(VenueRejected) as raised:
        adapter.cancel(order())
    assert raised.value.code == -2011 and len(fake_binance.calls("DELETE", "/v3/order")) == 1


def test_cancel_gives_up_after_a_few_attempts(fake_binance, adapter):
    fake_binance.reply("DELETE", "/v3/order", {"code": -1003, "msg": "Too many requests."}, status=429,
                       headers={"Retry-After": "0"})
    with pytest.raises(VenueTemporaryError):
        adapter.cancel(order())
    assert len(fake_binance.calls("DELETE", "/v3/order")) == 3


def test_query_of_an_order_binance_never_saw_is_none(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/order", {"code": -2013, "msg": "Order does not exist."}, status=400)
    assert adapter.query(order()) is None


def test_query_retries_an_unanswered_read(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/order", "", status=502)
    fake_binance.reply("GET", "/v3/order", answer(status="PARTIALLY_FILLED", executedQty="0.2",
                                                  cummulativeQuoteQty="13000", time=1, updateTime=2))
    report = adapter.query(order(venue_client_order_id="client-1-r1"))
    assert report.status is OrderStatus.PARTIALLY_FILLED and report.filled_quantity == Decimal("0.2")
    assert fake_binance.calls("GET", "/v3/order")[-1].params["origClientOrderId"] == "client-1-r1"


def test_open_orders(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/openOrders", [answer(), answer(orderId=8, clientOrderId="client-2")])
    reports = adapter.open_orders("BTCUSDT")
    assert [r.client_order_id for r in reports] == ["client-1", "client-2"]
    assert fake_binance.calls("GET", "/v3/openOrders")[0].params["symbol"] == "BTCUSDT"


def test_amend_replaces_the_order_and_reports_the_replacement(fake_binance, adapter):
    fake_binance.reply("POST", "/v3/order/cancelReplace", {
        "cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
        "cancelResponse": answer(status="CANCELED", clientOrderId="c-x", origClientOrderId="client-1",
                                 executedQty="0.10000000"),
        "newOrderResponse": answer(orderId=8, clientOrderId="client-1-r1", price="64000.00", origQty="0.9")})
    resting = order(quantity=Decimal("0.5"), filled_quantity=Decimal("0.1"), venue_order_id="7")
    report = adapter.amend(resting, Decimal("1.0"), Decimal("64000"))
    sent = fake_binance.calls("POST", "/v3/order/cancelReplace")[0].params
    assert (sent["cancelOrigClientOrderId"], sent["newClientOrderId"], sent["quantity"], sent["price"]) == (
        "client-1", "client-1-r1", "0.9", "64000")
    assert sent["cancelReplaceMode"] == "STOP_ON_FAILURE"
    assert (report.client_order_id, report.venue_order_id, report.price) == ("client-1-r1", "8", Decimal("64000"))


def test_amend_of_a_gone_order_is_rejected(fake_binance, adapter):
    fake_binance.reply("POST", "/v3/order/cancelReplace", {
        "code": -2022, "msg": "Order cancel-replace failed.",
        "data": {"cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED",
                 "cancelResponse": {"code": -2011, "msg": "Unknown order sent."}, "newOrderResponse": None}},
        status=400)
    with pytest.raises(VenueRejected) as raised:
        adapter.amend(order(), None, Decimal("64000"))
    assert raised.value.code == -2022 and "Unknown order sent." in raised.value.message


def test_fills_come_from_my_trades_of_the_venue_order(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/myTrades", [
        {"symbol": "BTCUSDT", "id": 5, "orderId": 7, "price": "65000.00", "qty": "0.2", "quoteQty": "13000",
         "commission": "0.0002", "commissionAsset": "BTC", "time": 1_700_000_000_000, "isBuyer": True,
         "isMaker": True, "isBestMatch": True}])
    (fill,) = adapter.fills(order(venue_order_id="7"))
    assert (fill.venue_trade_id, fill.quantity, fill.liquidity) == ("5", Decimal("0.2"), Liquidity.MAKER)
    assert fake_binance.calls("GET", "/v3/myTrades")[0].params["orderId"] == "7"


def test_fills_of_an_order_without_venue_id_asks_binance_for_it(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/order", answer(orderId=11))
    fake_binance.reply("GET", "/v3/myTrades", [])
    assert adapter.fills(order()) == []
    assert fake_binance.calls("GET", "/v3/myTrades")[0].params["orderId"] == "11"


def test_load_instruments(fake_binance, adapter):
    fake_binance.reply("GET", "/v3/exchangeInfo", {"symbols": [{
        "symbol": "ETHUSDT", "status": "TRADING", "baseAsset": "ETH", "quoteAsset": "USDT", "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "100000", "tickSize": "0.01000000"},
            {"filterType": "LOT_SIZE", "minQty": "0.0001", "maxQty": "9000", "stepSize": "0.00010000"},
            {"filterType": "NOTIONAL", "minNotional": "5.00000000"}]}]})
    (eth,) = adapter.load_instruments()
    assert (eth.symbol, eth.tick_size, eth.step_size, eth.min_notional) == (
        "ETHUSDT", Decimal("0.01"), Decimal("0.0001"), Decimal("5"))
