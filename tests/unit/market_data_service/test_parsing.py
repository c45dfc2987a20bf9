from decimal import Decimal

import pytest

from shared.domain import Side
from shared.domain.marketdata import Quote, Trade

from market_data_service.feeds.binance_parsing import parse_frame
from market_data_service.feeds.rest_parsing import parse_exchange_rates, parse_inav, parse_pcf
from market_data_service.malformed import MalformedCounter, MalformedMessage


def test_spot_book_ticker_becomes_a_quote_in_decimal():
    frame = '{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"25.35190000","B":"31.21","a":"25.36520000","A":"40.66"}}'
    quote = parse_frame("binance", frame, 123)
    assert quote == Quote("binance", "BTCUSDT", Decimal("25.35190000"), Decimal("31.21"), Decimal("25.36520000"),
                          Decimal("40.66"), None, 123)
    assert quote.mid == Decimal("25.35855000")


def test_futures_book_ticker_carries_the_exchange_time_in_nanoseconds():
    frame = '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":1,"s":"BTCUSDT","b":"64000.10","B":"2","a":"64000.20","A":"3","T":1700000000123,"E":1700000000124}}'
    assert parse_frame("binance-futures", frame, 5).exchange_ts_ns == 1_700_000_000_124_000_000


def test_trades_and_agg_trades_name_the_aggressor():
    spot = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":12345,"p":"0.001","q":"100","T":1700000000000,"m":true}}'
    trade = parse_frame("binance", spot, 9)
    assert trade == Trade("binance", "BTCUSDT", Decimal("0.001"), Decimal("100"), Side.SELL, "12345",
                          1_700_000_000_000_000_000, 9)
    agg = '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":77,"p":"64000","q":"0.5","f":1,"l":2,"T":5,"m":false}}'
    trade = parse_frame("binance-futures", agg, 9)
    assert trade.aggressor is Side.BUY and trade.trade_id == "77"


def test_an_empty_side_of_the_book_is_none():
    frame = '{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":null,"B":null,"a":"1","A":"2"}}'
    quote = parse_frame("binance", frame, 1)
    assert quote.bid is None and quote.mid is None


def test_control_replies_are_not_market_data():
    assert parse_frame("binance", '{"result":null,"id":1}', 1) is None


@pytest.mark.parametrize("frame, kind", [
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"e":"trade"}', "not a combined-stream frame"),
    ('{"stream":"btcusdt@depth","data":{}}', "unexpected stream"),
    ('{"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"abc","B":"1","a":"1","A":"1"}}', "bookTicker: bad b"),
    ('{"stream":"btcusdt@bookTicker","data":{"b":"1","B":"1","a":"1","A":"1"}}', "bookTicker: bad s"),
    ('{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","p":"1","q":"1","T":1}}', "trade: bad m"),
    ('{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","p":"NaN","q":"1","T":1,"m":true}}', "trade: bad p"),
    ('{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","p":"1","q":"1","T":"x","m":true}}', "trade: bad T"),
])
def test_malformed_frames_are_named_by_kind(frame, kind):
    with pytest.raises(MalformedMessage) as caught:
        parse_frame("binance", frame, 1)
    assert caught.value.kind == kind


def test_malformed_messages_are_counted_per_kind_and_logged_once(caplog):
    counter = MalformedCounter("binance")
    for _ in range(3):
        counter.record(MalformedMessage("not JSON"), "garbage")
    counter.record(MalformedMessage("trade: bad p"), "{}")
    assert counter.counts == {"not JSON": 3, "trade: bad p": 1} and counter.total == 4
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) == 2


def test_coinbase_exchange_rates_give_usd_brl():
    body = {"data": {"currency": "USD", "rates": {"BRL": "5.4321", "EUR": "0.9"}}}
    fx = parse_exchange_rates(body, "USD", "BRL", "coinbase", 7)
    assert (fx.pair, fx.rate, fx.source, fx.receive_ts_ns) == ("USDBRL", Decimal("5.4321"), "coinbase", 7)
    for bad in ({}, {"data": {"rates": {}}}, {"data": {"currency": "EUR", "rates": {"BRL": "6"}}},
                {"data": {"rates": {"BRL": "0"}}}):
        with pytest.raises(MalformedMessage):
            parse_exchange_rates(bad, "USD", "BRL", "coinbase", 7)


def test_hashdex_pcf_skips_cash_and_inav_keeps_the_published_value():
    composition = parse_pcf("BITH11", {"pcf": [{"symbol": "Cash", "quantity": "12"},
                                               {"symbol": "BTC", "quantity": "0.00009460"}]})
    assert (composition.underlying, composition.quantity) == ("BTC", Decimal("0.00009460"))
    inav = parse_inav("BITH11", {"inavPerShare": "33.40961712", "currency": "BRL", "timestamp": 1700000000000,
                                 "underlyingPrice": "65040", "usdBrl": "5.43"}, composition, 3)
    assert inav.value == Decimal("33.40961712") and inav.source == "hashdex" and inav.underlying == "BTC"
    assert inav.exchange_ts_ns == 1_700_000_000_000_000_000 and inav.fx_rate == Decimal("5.43")
    with pytest.raises(MalformedMessage):
        parse_pcf("BITH11", {"pcf": [{"symbol": "Cash", "quantity": "1"}]})
    with pytest.raises(MalformedMessage):
        parse_inav("BITH11", {"inavPerShare": None}, composition, 3)
