from decimal import Decimal

import pytest

from order_service.adapters.binance.order_params import (
    CLIENT_ORDER_ID,
    cancel_replace_params,
    new_order_params,
    replacement_client_order_id,
)
from shared.domain.enums import OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order
from tests.unit.order_service.adapters.conftest import make_order


def order(**overrides) -> Order:
    return make_order(**{"quantity": Decimal("0.0100"), "price": Decimal("65000.10"), **overrides})


def test_limit_order():
    assert new_order_params(order()) == {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
        "price": "65000.1", "newClientOrderId": "client-1", "newOrderRespType": "FULL"}


def test_market_order_sends_no_price_and_no_time_in_force():
    params = new_order_params(order(type=OrderType.MARKET, price=None, time_in_force=None, side=Side.SELL))
    assert params == {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01",
                      "newClientOrderId": "client-1", "newOrderRespType": "FULL"}


def test_values_are_plain_strings_without_exponent():
    params = new_order_params(order(quantity=Decimal("1E-8"), price=Decimal("1E+5")))
    assert (params["quantity"], params["price"]) == ("0.00000001", "100000")
    assert all(isinstance(v, str) for v in params.values())


def test_post_only_becomes_limit_maker():
    params = new_order_params(order(post_only=True, time_in_force=None))
    assert params["type"] == "LIMIT_MAKER" and "timeInForce" not in params


@pytest.mark.parametrize("kind, expected", [
    (OrderType.STOP_MARKET, {"type": "STOP_LOSS", "quantity": "0.01", "stopPrice": "60000"}),
    (OrderType.STOP_LIMIT, {"type": "STOP_LOSS_LIMIT", "timeInForce": "GTC", "quantity": "0.01",
                            "price": "65000.1", "stopPrice": "60000"}),
])
def test_stops(kind, expected):
    params = new_order_params(order(type=kind, stop_price=Decimal("60000.00")))
    assert {k: params[k] for k in expected} == expected


def test_ioc_and_fok_pass_through():
    assert new_order_params(order(time_in_force=TimeInForce.IOC))["timeInForce"] == "IOC"
    assert new_order_params(order(time_in_force=TimeInForce.FOK))["timeInForce"] == "FOK"


@pytest.mark.parametrize("overrides", [
    {"time_in_force": TimeInForce.DAY}, {"time_in_force": TimeInForce.GTD}, {"reduce_only": True},
    {"post_only": True, "time_in_force": TimeInForce.IOC}, {"type": OrderType.STOP_MARKET, "stop_price": None},
])
def test_what_binance_spot_cannot_do_is_refused_before_sending(overrides):
    with pytest.raises(VenueRejected) as raised:
        new_order_params(order(**overrides))
    assert raised.value.code == "UNSUPPORTED"


def test_cancel_replace_sends_the_remaining_quantity_under_a_new_client_id():
    resting = order(quantity=Decimal("1.0"), filled_quantity=Decimal("0.3"))
    params = cancel_replace_params(resting, "client-1-r1", Decimal("2"), Decimal("64000"))
    assert params == {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1.7",
        "price": "64000", "cancelReplaceMode": "STOP_ON_FAILURE", "cancelOrigClientOrderId": "client-1",
        "newClientOrderId": "client-1-r1", "newOrderRespType": "FULL"}


def test_cancel_replace_keeps_what_is_not_changed():
    params = cancel_replace_params(order(venue_client_order_id="client-1-r1"), "client-1-r2", None, Decimal("1"))
    assert (params["quantity"], params["price"], params["cancelOrigClientOrderId"]) == ("0.01", "1", "client-1-r1")


def test_amend_to_at_most_the_filled_quantity_is_refused():
    with pytest.raises(VenueRejected):
        cancel_replace_params(order(quantity=Decimal("1"), filled_quantity=Decimal("0.5")), "x", Decimal("0.5"), None)


def test_market_orders_cannot_be_amended():
    with pytest.raises(VenueRejected):
        cancel_replace_params(order(type=OrderType.MARKET, price=None), "x", Decimal("1"), None)


def test_replacement_ids_count_up_and_fit_binance():
    first = order(client_order_id="a" * 36)
    assert replacement_client_order_id(first) == "a" * 33 + "-r1"
    second = order(client_order_id="a" * 36, venue_client_order_id="a" * 33 + "-r1")
    assert replacement_client_order_id(second) == "a" * 33 + "-r2"
    odd = order(client_order_id="strategy:42/leg.1")
    assert CLIENT_ORDER_ID.match(replacement_client_order_id(odd))
