from decimal import Decimal

from shared.domain.marketdata import FxRate, Quote

from market_data_service.feeds.inav_math import InavCalculator, inav_value
from market_data_service.feeds.rest_parsing import Composition

BTC = Composition("BITH11", "BTC", Decimal("0.00009460"))
ETH = Composition("ETHE11", "ETH", Decimal("0.00242000"))


def quote(symbol: str, bid: str, ask: str, venue: str = "binance-futures", ts: int = 1) -> Quote:
    return Quote(venue, symbol, Decimal(bid), Decimal("1"), Decimal(ask), Decimal("1"), ts * 1000, ts)


def fx(rate: str, ts: int = 1) -> FxRate:
    return FxRate("USDBRL", Decimal(rate), "coinbase", None, ts)


def calculator(threshold: str = "0.01") -> InavCalculator:
    calc = InavCalculator("binance-futures", Decimal(threshold))
    calc.set_composition(BTC, 0)
    calc.set_composition(ETH, 0)
    return calc


def test_inav_is_exact_decimal_math_rounded_to_eight_places():
    assert inav_value(Decimal("0.00009460"), Decimal("65043.2"), Decimal("5.43")) == Decimal("33.41126089")
    assert inav_value(Decimal("0.1"), Decimal("0.1"), Decimal("3")) == Decimal("0.03000000")  # no float error


def test_nothing_is_released_until_every_input_is_known():
    calc = calculator()
    assert calc.on_quote(quote("BTCUSDT", "65000", "65010")) == []
    released = calc.on_fx(fx("5.43"))
    assert [(i.symbol, i.value) for i, _ in released] == [("BITH11", Decimal("33.39163839"))]
    inav, stale = released[0]
    assert not stale and inav.underlying_price == Decimal("65005") and inav.fx_rate == Decimal("5.43")
    assert inav.source == "computed:binance-futures" and inav.underlying_per_share == BTC.quantity


def test_a_change_below_the_threshold_is_held_back_and_one_at_it_is_released():
    calc = calculator("0.01")
    calc.on_fx(fx("5.43"))
    first = calc.on_quote(quote("BTCUSDT", "65000", "65000"))[0][0].value
    # 0.00051368 BRL per USD of BTC: 19 USD moves it by 0.00976 < 0.01
    assert calc.on_quote(quote("BTCUSDT", "65019", "65019")) == []
    # the drift is measured from the last released value, not the last computed one
    moved = calc.on_quote(quote("BTCUSDT", "65020", "65020"))
    assert len(moved) == 1 and moved[0][0].value - first >= Decimal("0.01")


def test_an_fx_move_reprices_every_etf():
    calc = calculator()
    calc.on_quote(quote("BTCUSDT", "65000", "65000"))
    calc.on_quote(quote("ETHUSDT", "3000", "3000"))
    calc.on_fx(fx("5.43"))
    assert {i.symbol for i, _ in calc.on_fx(fx("5.60"))} == {"BITH11", "ETHE11"}


def test_quotes_of_other_venues_or_without_a_mid_are_ignored():
    calc = calculator()
    calc.on_fx(fx("5.43"))
    assert calc.on_quote(quote("BTCUSDT", "65000", "65000", venue="binance")) == []
    one_sided = Quote("binance-futures", "BTCUSDT", None, None, Decimal("1"), Decimal("1"), None, 1)
    assert calc.on_quote(one_sided) == []


def test_stale_inputs_release_the_same_value_marked_stale_and_fresh_ones_clear_it():
    calc = calculator()
    calc.on_fx(fx("5.43"))
    calc.on_quote(quote("BTCUSDT", "65000", "65000"))
    [(inav, stale)] = calc.on_quote(quote("BTCUSDT", "65000", "65000"), stale=True)
    assert stale
    assert calc.on_quote(quote("BTCUSDT", "65000", "65000"), stale=True) == []
    assert calc.on_quote(quote("BTCUSDT", "65000", "65000"))[0][1] is False
