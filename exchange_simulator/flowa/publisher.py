"""Folds engine events into the strategies and trades, and pushes them to the websocket clients."""
from __future__ import annotations

from typing import Any

import msgpack

from exchange_simulator.engine import OrderUpdated
from exchange_simulator.fanout import Hub
from exchange_simulator.flowa import serialise
from exchange_simulator.flowa.state import Strategy, StrategyBook, TradeLog


def strategies_topic(account: str) -> str:
    return f"strategies:{account}"


def trades_topic(account: str) -> str:
    return f"trades:{account}"


def pack(payload: dict) -> bytes:
    return msgpack.packb(payload, use_bin_type=True)


class FlowaPublisher:
    """Batch listener of the B3 venue: runs under the engine lock, so it only updates state and enqueues."""

    def __init__(self, book: StrategyBook, trades: TradeLog, hub: Hub) -> None:
        self._book = book
        self._trades = trades
        self._hub = hub

    def on_batch(self, events: list[Any]) -> None:
        touched: dict[str, Strategy] = {}
        for event in events:
            if not isinstance(event, OrderUpdated):
                continue
            order = event.order
            strategy = self._book.by_engine_order(order.order_id)
            if strategy is None:  # the synthetic market's orders, or an engine order an amendment replaced
                continue
            fill = event.fill
            if fill is not None:
                strategy.executed += fill.qty
                strategy.notional += fill.qty * fill.price
                trade = self._trades.record(strategy, fill.trade_id, fill.qty, fill.price, fill.time_ms)
                topic = trades_topic(strategy.account)
                if self._hub.has_subscribers(topic):
                    self._hub.publish(topic, pack(serialise.trade_json(trade)))
            strategy.settle_status(order.is_open)
            if not order.is_open:
                self._book.unbind(order.order_id)
            touched[strategy.strategy_id] = strategy
        for strategy in touched.values():
            self.publish_strategy(strategy)

    def publish_strategy(self, strategy: Strategy) -> None:
        """Push the strategy's snapshot to its account's /ws/strategies clients."""
        topic = strategies_topic(strategy.account)
        if self._hub.has_subscribers(topic):
            self._hub.publish(topic, pack(serialise.order_json(strategy)))
