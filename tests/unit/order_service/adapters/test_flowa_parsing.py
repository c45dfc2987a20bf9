"""Flowa adapter: order bodies, order snapshots and trades as domain objects, bundled instrument rules."""
from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import pytest

from order_service.adapters.flowa.order_params import amend_body, new_order_body
from order_service.adapters.flowa.parsing import load_instruments, parse_order, parse_trade
from shared.domain.enums import InstrumentKind, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order


def b3_order(**overrides) -> Order:
    fields = dict(id="o-1", client_order_id="client-1", venue="b3", symbol="BITH11", side=Side.BUY,
                  type=OrderType.LIMIT, quantity=Decimal("300"), price=Decimal("33.40"),
                  time_in_force=TimeInForce.GTC, broker="308", account="12345")
    fields.update(overrides)
    return Order(**fields)


def snapshot(**overrides) -> dict:
    body = {"StrategyId": "s-1", "StrategyType": "SIMPLE_ORDER", "Status": "OPEN", "Symbol": "BITH11",
            "Side": "BUY", "OrderType": "LIMIT", "Quantity": 300, "Price": 33.4, "ExecutedQuantity": 0,
            "AvgPrice": 0.0, "CustomId": "client-1", "Error": None}
    body.update(overrides)
    return body


def test_limit_order_body():
    assert new_order_body(b3_order(algo_id="a-7")) == {
        "Broker": "308", "Account": "12345", "Symbol": "BITH11", "Side": "BUY", "OrderType": "LIMIT",
        "TimeInForce": "GTC", "Quantity": 300, "CustomId": "client-1", "Price": "33.40", "Memo": "algo a-7"}


def test_market_and_stop_bodies():
    market = new_order_body(b3_order(type=OrderType.MARKET, price=None, time_in_force=None, side=Side.SELL))
    assert (market["OrderType"], market["TimeInForce"], market["Side"]) == ("MARKET", "DAY", "SELL")
    assert "Price" not in market and "StopTriggerPrice" not in market
    stop = new_order_body(b3_order(type=OrderType.STOP_LIMIT, stop_price=Decimal("33.00"),
                                   time_in_force=TimeInForce.DAY))
    assert (stop["OrderType"], stop["Price"], stop["StopTriggerPrice"]) == ("STOP_LIMIT", "33.40", "33.00")
    replaced = b3_order(venue_client_order_id="client-1-r1")
    assert new_order_body(replaced)["CustomId"] == "client-1-r1"


@pytest.mark.parametrize("overrides", [
    {"post_only": True}, {"reduce_only": True}, {"time_in_force": TimeInForce.GTD},
    {"quantity": Decimal("10.5")},
])
def test_what_flowa_cannot_take_is_rejected_before_sending(overrides):
    with pytest.raises(VenueRejected):
        new_order_body(b3_order(**overrides))


def test_amend_body_is_total_quantity_and_price():
    assert amend_body(Decimal("500"), Decimal("33.45")) == {"Quantity": 500, "Price": "33.45"}
    assert amend_body(None, Decimal("33.45")) == {"Price": "33.45"}


@pytest.mark.parametrize("status, executed, expected", [
    ("PENDING_CREATE", 0, OrderStatus.PENDING_NEW),
    ("OPEN", 0, OrderStatus.NEW),
    ("PARTIALLY_EXECUTED", 100, OrderStatus.PARTIALLY_FILLED),
    ("TOTALLY_EXECUTED", 300, OrderStatus.FILLED),
    ("CANCELLED", 100, OrderStatus.CANCELED),
    ("REJECTED", 0, OrderStatus.REJECTED),
    ("FINISHED", 300, OrderStatus.FILLED),
    ("FINISHED", 100, OrderStatus.EXPIRED),
    ("PENDING_REPLACE", 100, OrderStatus.PARTIALLY_FILLED),
    ("SUSPENDED", 0, OrderStatus.NEW),
])
def test_statuses(status, executed, expected):
    assert parse_order(snapshot(Status=status, ExecutedQuantity=executed, AvgPrice=33.41)).status is expected


def test_order_snapshot_as_a_report():
    report = parse_order(snapshot(Status="PARTIALLY_EXECUTED", ExecutedQuantity=100, AvgPrice=33.405))
    assert (report.client_order_id, report.venue_order_id, report.symbol) == ("client-1", "s-1", "BITH11")
    assert (report.filled_quantity, report.average_price) == (Decimal("100"), Decimal("33.405"))
    assert (report.quantity, report.price) == (Decimal("300"), Decimal("33.4"))
    rejected = parse_order(snapshot(Status="REJECTED", Error="Insufficient funds or custody for the order"))
    assert rejected.reject_reason == "Insufficient funds or custody for the order"
    assert parse_order(snapshot()).average_price is None


def test_trade_row():
    strategy_id, fill = parse_trade({"Id": "77", "StrategyID": "s-1", "Symbol": "BITH11", "Side": "BUY",
                                     "Quantity": 100, "Price": 33.41, "TradeDate": "2025-01-13T14:00:00.250Z"})
    assert strategy_id == "s-1"
    assert (fill.venue_trade_id, fill.quantity, fill.price, fill.fee_asset) == ("77", Decimal(100),
                                                                               Decimal("33.41"), "BRL")
    assert fill.time.isoformat() == "2025-01-13T14:00:00.250000+00:00"


def test_bundled_instruments_match_the_simulated_b3():
    instruments = {i.symbol: i for i in load_instruments("b3")}
    bith = instruments["BITH11"]
    assert (bith.kind, bith.quote, bith.tick_size, bith.lot_size, bith.min_quantity) == (
        InstrumentKind.ETF, "BRL", Decimal("0.01"), Decimal("1"), Decimal("1"))
    petr = instruments["PETR4"]
    assert (petr.kind, petr.lot_size, petr.step_size) == (InstrumentKind.EQUITY, Decimal("100"), Decimal("100"))
    simulated = json.loads(resources.files("exchange_simulator").joinpath("data/b3.json").read_text())["symbols"]
    assert {(s["symbol"], s["kind"], Decimal(s["tick_size"]), Decimal(s["step_size"]), s["quote_asset"])
            for s in simulated} == {(i.symbol, i.kind.value, i.tick_size, i.lot_size, i.quote)
                                    for i in instruments.values()}
