from decimal import Decimal as D

from hypothesis import given, strategies as st

from shared.domain import Side

from algo_service.strategies.etf_math import hedge_quantity, hedge_target, needs_reprice, quote_price


def test_quote_price_rounds_away_from_the_inav():
    assert quote_price(D("33.4176"), Side.BUY, D("0.01"), D("0.01")) == D("33.08")
    assert quote_price(D("33.4176"), Side.SELL, D("0.01"), D("0.01")) == D("33.76")


def test_reprice_only_beyond_the_threshold():
    assert not needs_reprice(D("33.00"), D("33.04"), D("0.0015"))
    assert needs_reprice(D("33.00"), D("33.06"), D("0.0015"))
    assert needs_reprice(D("33.00"), D("32.94"), D("0.0015"))


def test_hedge_below_the_venue_minimum_is_carried():
    assert hedge_quantity(D("0.001"), D("0"), min_quantity=D("0.001"), min_notional=D("100"),
                          price=D("65000")) == 0
    assert hedge_quantity(D("0.002"), D("0"), min_quantity=D("0.001"), min_notional=D("100"),
                          price=D("65000")) == D("0.002")


@given(st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=40))
def test_cumulative_hedge_never_drifts_more_than_one_step(fills):
    ups, step = D("0.0000946"), D("0.001")
    filled, hedged = D(0), D(0)
    for quantity in fills:
        filled += quantity
        hedged += hedge_quantity(hedge_target(filled, ups, step), hedged, min_quantity=step, min_notional=D(0),
                                 price=None)
        assert D(0) <= filled * ups - hedged < step
    assert hedged == hedge_target(filled, ups, step)
