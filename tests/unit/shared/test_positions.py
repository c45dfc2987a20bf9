"""Positions by average cost: whatever the fills, realised plus open PnL is the cash the fills moved."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.domain import Fill
from shared.domain.enums import Side
from shared.domain.position import positions_from

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def fill(n: int, side: Side, quantity: Decimal, price: Decimal, venue: str = "binance") -> Fill:
    return Fill(f"f{n}", f"o{n}", venue, "BTCUSDT", side, str(n), quantity, price, Decimal(0), "USDT", None, T0)


fills = st.lists(st.tuples(st.sampled_from([Side.BUY, Side.SELL]),
                           st.integers(1, 10_000).map(lambda q: Decimal(q) / 1000),
                           st.integers(1, 100_000).map(lambda p: Decimal(p) / 100)), min_size=1, max_size=40)


@given(fills, st.integers(1, 100_000).map(lambda p: Decimal(p) / 100))
def test_realised_plus_open_pnl_is_the_cash_the_fills_moved(trades, mark):
    (position,) = positions_from((fill(n, *t), None) for n, t in enumerate(trades))
    open_pnl = position.net_quantity * (mark - (position.average_entry_price or 0))
    cash = position.sold_notional - position.bought_notional + position.net_quantity * mark
    assert abs(position.realized_pnl + open_pnl - cash) < Decimal("1e-12")
    assert position.net_quantity == position.bought_quantity - position.sold_quantity
    assert (position.average_entry_price is None) == (position.net_quantity == 0)


def test_adding_to_a_short_averages_and_covering_realises():
    trades = [(Side.SELL, "2", "100"), (Side.SELL, "2", "110"), (Side.BUY, "1", "90")]
    (position,) = positions_from((fill(n, s, Decimal(q), Decimal(p)), "acct") for n, (s, q, p) in enumerate(trades))
    assert position.net_quantity == Decimal(-3) and position.average_entry_price == Decimal(105)
    assert position.realized_pnl == Decimal(15)          # covered 1 at 90 against an entry of 105


def test_positions_are_kept_apart_by_venue_and_account():
    found = positions_from([(fill(1, Side.BUY, Decimal(1), Decimal(10)), "a"),
                            (fill(2, Side.BUY, Decimal(1), Decimal(10), venue="binance-futures"), "a"),
                            (fill(3, Side.SELL, Decimal(1), Decimal(10)), "b")])
    assert [(p.venue, p.account, p.net_quantity) for p in found] == [
        ("binance", "a", 1), ("binance", "b", -1), ("binance-futures", "a", 1)]
