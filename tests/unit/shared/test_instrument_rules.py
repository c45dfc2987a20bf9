from __future__ import annotations

from decimal import Decimal

import pytest

from shared.domain import Instrument, InstrumentKind, InstrumentRuleViolation, OrderType

BTC = Instrument("binance", "BTCUSDT", InstrumentKind.SPOT, "BTC", "USDT", tick_size=Decimal("0.01"),
                 step_size=Decimal("0.00001"), min_quantity=Decimal("0.00001"), max_quantity=Decimal("9000"),
                 min_notional=Decimal("5"))
PETR4 = Instrument("b3", "PETR4", InstrumentKind.EQUITY, "PETR4", "BRL", tick_size=Decimal("0.01"),
                   step_size=Decimal("1"), min_quantity=Decimal("100"), lot_size=Decimal("100"))


def violation(instrument, order_type, quantity, price=None, stop=None) -> InstrumentRuleViolation:
    with pytest.raises(InstrumentRuleViolation) as caught:
        instrument.check(order_type, Decimal(quantity), price and Decimal(price), stop and Decimal(stop))
    return caught.value


def test_valid_orders_pass():
    BTC.check(OrderType.LIMIT, Decimal("0.001"), Decimal("65000.01"), None)
    BTC.check(OrderType.MARKET, Decimal("0.00001"), None, None)
    PETR4.check(OrderType.LIMIT, Decimal("300"), Decimal("38.45"), None)


@pytest.mark.parametrize("args, field, rule, nearest", [
    ((BTC, OrderType.LIMIT, "0.001", "65000.005"), "price", "tick_size", "65000.01"),
    ((BTC, OrderType.STOP_LIMIT, "0.001", "65000", "64000.123"), "stop_price", "tick_size", "64000.12"),
    ((BTC, OrderType.LIMIT, "0.000014", "65000"), "quantity", "step_size", "0.00001"),
    ((BTC, OrderType.LIMIT, "10000", "1"), "quantity", "max_quantity", "9000"),
    ((BTC, OrderType.LIMIT, "0.00007", "65000"), "quantity", "min_notional", "0.00008"),
    ((PETR4, OrderType.LIMIT, "130", "38"), "quantity", "lot_size", "100"),
    ((PETR4, OrderType.LIMIT, "250", "38"), "quantity", "lot_size", "300"),
    ((PETR4, OrderType.LIMIT, "0", "38"), "quantity", "min_quantity", "100"),
])
def test_each_rule_names_the_field_and_the_nearest_valid_value(args, field, rule, nearest):
    error = violation(*args)
    assert (error.field, error.rule, error.nearest) == (field, rule, Decimal(nearest))
    assert nearest in error.detail


def test_rounding_helpers_stay_in_decimal():
    assert BTC.round_price(Decimal("65000.126")) == Decimal("65000.13")
    assert BTC.round_quantity(Decimal("0.123456789")) == Decimal("0.12345")
