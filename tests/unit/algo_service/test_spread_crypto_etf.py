"""spread-crypto-etf against an in-memory order service: quoting, amending, hedging, outages, restarts."""
from decimal import Decimal as D

import pytest

from shared.domain import OrderStatus, Side
from shared.domain.marketdata import Inav

from algo_service.sdk import StrategyContext
from algo_service.strategies.spread_crypto_etf import SpreadCryptoEtf, SpreadCryptoEtfParams
from tests.unit.algo_service.fakes import FakeOrders

UPS = D("0.0000946")


def inav(value: str, btc: str = "65000") -> Inav:
    return Inav("BITH11", D(value), "BRL", "BTC", UPS, D(btc), D("5.43"), "test", None, 0)


def params(**overrides) -> SpreadCryptoEtfParams:
    return SpreadCryptoEtfParams.model_validate({"broker": "SIM", "account": "1", "symbol": "BITH11", "side": "BUY",
                                                 "quantity": "100", "spread_threshold": "0.01", **overrides})


def started(orders: FakeOrders, **overrides) -> SpreadCryptoEtf:
    strategy = SpreadCryptoEtf(StrategyContext("algo-test", params(**overrides), orders,
                                               restored_orders=orders.all()))
    strategy.on_start()
    return strategy


def b3_working(orders):
    return [o for o in orders.working() if o.venue == "b3"]


def test_rests_a_tick_rounded_limit_below_the_inav_and_amends_past_the_threshold():
    orders = FakeOrders()
    strategy = started(orders)
    strategy.on_inav(inav("33.4176"))
    (quote,) = b3_working(orders)
    assert (quote.side, quote.price, quote.quantity) == (Side.BUY, D("33.08"), D("100"))
    strategy.on_inav(inav("33.44"))        # 0.07 % move: stays
    assert orders.amends == []
    strategy.on_inav(inav("33.60"))        # 0.55 % move: amended in place
    assert orders.amends == [(quote.id, D("33.26"))]
    assert len(b3_working(orders)) == 1


def test_each_partial_fill_is_hedged_with_the_remainder_carried():
    orders = FakeOrders()
    strategy = started(orders)
    strategy.on_inav(inav("33.40"))
    (quote,) = b3_working(orders)
    strategy.on_order_event(orders.fill(quote.id, "15"))   # 0.001419 BTC: below 100 USDT, carried
    assert orders.hedges() == []
    strategy.on_order_event(orders.fill(quote.id, "25"))   # 40 shares: 0.003784 -> 0.003
    strategy.on_order_event(orders.fill(quote.id, "60"))   # 100 shares: 0.00946 -> 0.009, 0.006 more
    assert [(h.side, h.quantity) for h in orders.hedges()] == [(Side.SELL, D("0.003")), (Side.SELL, D("0.006"))]
    assert strategy.finished


def test_a_replayed_fill_event_never_hedges_twice():
    orders = FakeOrders()
    strategy = started(orders)
    strategy.on_inav(inav("33.40"))
    (quote,) = b3_working(orders)
    event = orders.fill(quote.id, "50")
    strategy.on_order_event(event)
    strategy.on_order_event(event)
    assert len(orders.hedges()) == 1


def test_an_unknown_hedge_outcome_is_resolved_with_the_same_client_order_id():
    orders = FakeOrders()
    strategy = started(orders)
    strategy.on_inav(inav("33.40"))
    (quote,) = b3_working(orders)
    orders.lose_answer = True              # the hedge reaches the service but its answer is lost
    strategy.on_order_event(orders.fill(quote.id, "50"))
    assert strategy.degraded and strategy.pending_hedge is not None
    strategy.on_timer()                    # retried with the same client order id: the same order comes back
    strategy.on_order_event(orders.fill(quote.id, "50"))
    assert [h.quantity for h in orders.hedges()] == [D("0.004"), D("0.005")]


def test_order_service_down_stops_quoting_and_resumes_when_it_answers():
    orders = FakeOrders()
    strategy = started(orders)
    orders.unavailable = True
    strategy.on_inav(inav("33.40"))
    assert strategy.degraded and orders.sent == []
    strategy.on_inav(inav("33.90"))
    assert orders.sent == []
    orders.unavailable = False
    strategy.on_timer()
    assert not strategy.degraded and len(b3_working(orders)) == 1


def test_a_restart_rebuilds_fills_and_hedges_from_the_order_service():
    orders = FakeOrders()
    first = started(orders)
    first.on_inav(inav("33.40"))
    (quote,) = b3_working(orders)
    first.on_order_event(orders.fill(quote.id, "30"))
    orders.fill(quote.id, "30")            # filled while the algo was down: no event reached it
    second = started(orders)               # a new process, state from the order service only
    assert second.filled == D("60")
    second.on_inav(inav("33.40"))
    assert sum(h.quantity for h in orders.hedges()) == D("0.005")


def test_stop_cancels_the_resting_order():
    orders = FakeOrders()
    strategy = started(orders)
    strategy.on_inav(inav("33.40"))
    (quote,) = b3_working(orders)
    strategy.on_stop()
    assert orders.orders[quote.id].status is OrderStatus.CANCELED


@pytest.mark.parametrize("field,value", [("quantity", "-1"), ("quantity", "1.5"), ("symbol", "PETR4"),
                                         ("reprice_threshold", "2"), ("side", "HOLD")])
def test_params_are_validated(field, value):
    from pydantic import ValidationError

    from algo_service.service import _errors

    with pytest.raises(ValidationError) as caught:
        params(**{field: value})
    assert _errors(caught.value)[0]["field"] == f"params.{field}"
