from datetime import datetime, timezone
from decimal import Decimal

import pytest

from order_service.adapters.binance.parsing import (
    parse_execution_report,
    parse_instruments,
    parse_order,
    parse_trade,
    to_decimal,
)
from shared.domain.enums import InstrumentKind, Liquidity, OrderStatus
from shared.domain.errors import VenueUnknownOutcome

FULL = {
    "symbol": "BTCUSDT", "orderId": 28, "orderListId": -1, "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
    "transactTime": 1507725176595, "price": "0.00000000", "origQty": "10.00000000",
    "executedQty": "10.00000000", "cummulativeQuoteQty": "10005.00000000", "status": "FILLED",
    "timeInForce": "GTC", "type": "MARKET", "side": "SELL", "workingTime": 1507725176595,
    "selfTradePreventionMode": "NONE",
    "fills": [
        {"price": "1000.00000000", "qty": "5.00000000", "commission": "5.00000000",
         "commissionAsset": "USDT", "tradeId": 56},
        {"price": "1001.00000000", "qty": "5.00000000", "commission": "5.00500000",
         "commissionAsset": "USDT", "tradeId": 57},
    ],
}


def test_full_answer_reports_status_average_and_taker_fills():
    report = parse_order(FULL)
    assert report.client_order_id == "6gCrw2kRUAF9CvJDGP16IP"
    assert report.venue_order_id == "28"
    assert report.status is OrderStatus.FILLED
    assert report.filled_quantity == Decimal("10")
    assert report.average_price == Decimal("1000.5")
    assert report.price is None  # a market order has no limit price
    assert report.time == datetime(2017, 10, 11, 12, 32, 56, 595000, tzinfo=timezone.utc)
    assert [(f.venue_trade_id, f.quantity, f.price, f.fee, f.fee_asset, f.liquidity) for f in report.fills] == [
        ("56", Decimal("5"), Decimal("1000"), Decimal("5"), "USDT", Liquidity.TAKER),
        ("57", Decimal("5"), Decimal("1001"), Decimal("5.005"), "USDT", Liquidity.TAKER),
    ]


def test_result_answer_of_a_resting_limit_order():
    result = {k: v for k, v in FULL.items() if k != "fills"}
    result.update(type="LIMIT", price="64000.01000000", executedQty="0.00000000",
                  cummulativeQuoteQty="0.00000000", status="NEW", origQty="0.01000000")
    report = parse_order(result)
    assert report.status is OrderStatus.NEW
    assert report.filled_quantity == 0 and report.average_price is None and report.fills == ()
    assert report.price == Decimal("64000.01") and report.quantity == Decimal("0.01")


def test_ack_answer_means_accepted():
    report = parse_order({"symbol": "BTCUSDT", "orderId": 28, "orderListId": -1,
                          "clientOrderId": "abc", "transactTime": 1507725176595})
    assert report.status is OrderStatus.NEW and report.venue_order_id == "28"


def test_cancel_answer_reports_the_orders_own_client_id():
    report = parse_order({
        "symbol": "LTCBTC", "origClientOrderId": "myOrder1", "orderId": 4, "orderListId": -1,
        "clientOrderId": "cancelMyOrder1", "transactTime": 1684804350068, "price": "2.00000000",
        "origQty": "1.00000000", "executedQty": "0.40000000", "cummulativeQuoteQty": "0.80000000",
        "status": "CANCELED", "timeInForce": "GTC", "type": "LIMIT", "side": "BUY"}, fill_liquidity=None)
    assert report.client_order_id == "myOrder1"
    assert report.status is OrderStatus.CANCELED
    assert report.filled_quantity == Decimal("0.4") and report.average_price == Decimal("2")


@pytest.mark.parametrize("binance, domain", [
    ("NEW", OrderStatus.NEW), ("PARTIALLY_FILLED", OrderStatus.PARTIALLY_FILLED), ("FILLED", OrderStatus.FILLED),
    ("CANCELED", OrderStatus.CANCELED), ("REJECTED", OrderStatus.REJECTED), ("EXPIRED", OrderStatus.EXPIRED),
    ("EXPIRED_IN_MATCH", OrderStatus.EXPIRED), ("PENDING_NEW", OrderStatus.PENDING_NEW),
    ("PENDING_CANCEL", OrderStatus.PENDING_CANCEL),
])
def test_statuses(binance, domain):
    assert parse_order({"symbol": "X", "clientOrderId": "c", "status": binance}).status is domain


def test_an_unknown_status_is_not_guessed():
    with pytest.raises(VenueUnknownOutcome):
        parse_order({"symbol": "X", "clientOrderId": "c", "status": "SOMETHING_NEW"})


EXECUTION_REPORT = {
    "e": "executionReport", "E": 1499405658658, "s": "ETHBTC", "c": "mUvoqJxFIILMdfAW5iGSOW", "S": "BUY",
    "o": "LIMIT", "f": "GTC", "q": "1.00000000", "p": "0.10264410", "P": "0.00000000", "F": "0.00000000",
    "g": -1, "C": "", "x": "TRADE", "X": "PARTIALLY_FILLED", "r": "NONE", "i": 4293153, "l": "0.40000000",
    "z": "0.60000000", "L": "0.10264400", "n": "0.00004000", "N": "BNB", "T": 1499405658657, "t": 718,
    "I": 8641984, "w": False, "m": True, "M": False, "O": 1499405658657, "Z": "0.06158640",
    "Y": "0.04105760", "Q": "0.00000000", "W": 1499405658657, "V": "NONE",
}


def test_execution_report_trade_gives_one_fill_and_cumulative_state():
    report = parse_execution_report(EXECUTION_REPORT)
    assert report.client_order_id == "mUvoqJxFIILMdfAW5iGSOW"
    assert report.venue_order_id == "4293153"
    assert report.status is OrderStatus.PARTIALLY_FILLED
    assert report.filled_quantity == Decimal("0.6")
    assert report.average_price == Decimal("0.1026440")
    assert report.quantity == Decimal("1") and report.price == Decimal("0.1026441")
    (fill,) = report.fills
    assert (fill.venue_trade_id, fill.quantity, fill.price, fill.fee, fill.fee_asset, fill.liquidity) == (
        "718", Decimal("0.4"), Decimal("0.102644"), Decimal("0.00004"), "BNB", Liquidity.MAKER)
    assert fill.time == datetime.fromtimestamp(1499405658.657, tz=timezone.utc)


def test_execution_report_without_trade_has_no_fill():
    event = dict(EXECUTION_REPORT, x="NEW", X="NEW", l="0.00000000", z="0.00000000", Z="0.00000000", t=-1)
    report = parse_execution_report(event)
    assert report.fills == () and report.status is OrderStatus.NEW and report.average_price is None


def test_execution_report_of_a_cancel_names_the_original_client_id():
    event = dict(EXECUTION_REPORT, x="CANCELED", X="CANCELED", c="cancelRequest42", C="myOrder1", t=-1)
    assert parse_execution_report(event).client_order_id == "myOrder1"


def test_rejected_execution_report_carries_the_reason():
    event = dict(EXECUTION_REPORT, x="REJECTED", X="REJECTED", r="INSUFFICIENT_BALANCES", t=-1)
    report = parse_execution_report(event)
    assert report.status is OrderStatus.REJECTED and report.reject_reason == "INSUFFICIENT_BALANCES"


def test_my_trades_row():
    fill = parse_trade({"symbol": "BNBBTC", "id": 28457, "orderId": 100234, "orderListId": -1,
                        "price": "4.00000100", "qty": "12.00000000", "quoteQty": "48.000012",
                        "commission": "10.10000000", "commissionAsset": "BNB", "time": 1499865549590,
                        "isBuyer": True, "isMaker": False, "isBestMatch": True})
    assert (fill.venue_trade_id, fill.quantity, fill.price, fill.fee, fill.liquidity) == (
        "28457", Decimal("12"), Decimal("4.000001"), Decimal("10.1"), Liquidity.TAKER)


def _symbol(name, status="TRADING", notional_filter="NOTIONAL"):
    return {
        "symbol": name, "status": status, "baseAsset": name[:-4], "quoteAsset": "USDT",
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000",
             "tickSize": "0.01000000"},
            {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {"filterType": notional_filter, "minNotional": "5.00000000", "applyMinToMarket": True},
        ],
    }


def test_exchange_info_gives_trading_instruments_with_normalised_filters():
    info = {"timezone": "UTC", "symbols": [_symbol("BTCUSDT"), _symbol("ETHUSDT", notional_filter="MIN_NOTIONAL"),
                                           _symbol("LUNAUSDT", status="BREAK")]}
    btc, eth = parse_instruments(info)
    assert btc.key == ("binance", "BTCUSDT") and btc.kind is InstrumentKind.SPOT
    assert (btc.base, btc.quote) == ("BTC", "USDT")
    assert str(btc.tick_size) == "0.01" and str(btc.step_size) == "0.00001"
    assert btc.min_quantity == Decimal("0.00001") and str(btc.max_quantity) == "9000"
    assert str(btc.min_notional) == "5"
    assert eth.min_notional == Decimal("5")


@pytest.mark.parametrize("raw, plain", [("0.01000000", "0.01"), ("100.00000000", "100"), ("0E-8", "0"),
                                        ("65000.10", "65000.1"), ("1E-8", "1E-8")])
def test_decimals_lose_trailing_zeros_but_never_become_exponents_of_integers(raw, plain):
    assert str(to_decimal(raw)) == plain
