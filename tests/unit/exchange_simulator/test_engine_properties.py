"""Invariants of the matching engine under random sequences of orders and cancels."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from exchange_simulator.engine import (
    Engine,
    OrderRejected,
    OrderStatus,
    OrderType,
    OrderUpdated,
    SelfTradePrevention,
    Side,
    SymbolSpec,
    TimeInForce,
    TradePrinted,
)

D = Decimal
SYMBOL = "XYZUSD"
ACCOUNTS = ("a", "b", "c")
DEPOSITS = {"XYZ": D("60"), "USD": D("6000")}
SPEC = SymbolSpec(
    symbol=SYMBOL, base_asset="XYZ", quote_asset="USD",
    tick_size=D("0.5"), step_size=D("0.1"), min_qty=D("0.1"), max_qty=D("1000"),
    min_price=D("0.5"), max_price=D("1000"), min_notional=D("1"),
    maker_fee=D("0.001"), taker_fee=D("0.002"),
)

prices = st.integers(180, 220).map(lambda n: D(n) / 2)  # 90.0 .. 110.0 on the tick
quantities = st.integers(1, 150).map(lambda n: D(n) / 10)  # 0.1 .. 15.0 on the step
accounts = st.sampled_from(ACCOUNTS)
sides = st.sampled_from(list(Side))
stp_modes = st.sampled_from(list(SelfTradePrevention))


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0
        self.engine = Engine([SPEC], lambda: self.now, id_seed=0)
        for account in ACCOUNTS:
            for asset, amount in DEPOSITS.items():
                self.engine.deposit(account, asset, amount)
        self.events: list = []
        self.engine.subscribe(self.events.append)
        self.fees: dict[str, Decimal] = defaultdict(Decimal)
        self.filled: dict[int, Decimal] = defaultdict(Decimal)
        self.arrival: dict[int, int] = {}  # when each order started working, for time priority
        self.order_ids: dict[int, str] = {}  # order id -> account

    # ----------------------------------------------------------------- rules

    def _submit(self, account, side, order_type, **kwargs):
        self.now += 1
        before = self._fingerprint()
        self.events.clear()
        try:
            result = self.engine.submit(account, SYMBOL, side, order_type, **kwargs)
        except OrderRejected:
            assert self.events == [], "a rejected order must emit nothing"
            assert self._fingerprint() == before, "a rejected order must leave no trace"
            return None
        self.order_ids[result.order.order_id] = account
        self._digest_events()
        as_taker = [
            e.fill for e in self.events
            if isinstance(e, OrderUpdated) and e.fill is not None
            and e.fill.order_id == result.order.order_id and not e.fill.is_maker
        ]
        assert result.fills == as_taker
        return result

    @rule(account=accounts, side=sides, qty=quantities, price=prices, stp=stp_modes)
    def limit_gtc(self, account, side, qty, price, stp):
        self._submit(account, side, OrderType.LIMIT, quantity=qty, price=price, self_trade_prevention=stp)

    @rule(account=accounts, side=sides, qty=quantities, price=prices, tif=st.sampled_from(["IOC", "FOK"]),
          stp=stp_modes)
    def limit_immediate(self, account, side, qty, price, tif, stp):
        result = self._submit(
            account, side, OrderType.LIMIT, quantity=qty, price=price,
            time_in_force=TimeInForce(tif), self_trade_prevention=stp,
        )
        if result is not None:
            assert not result.order.is_open, "IOC and FOK never rest"
            if tif == "FOK" and result.order.status is not OrderStatus.EXPIRED_IN_MATCH:
                assert result.order.executed_qty in (0, qty), "FOK fills fully or not at all"
                assert (result.order.status is OrderStatus.FILLED) == (result.order.executed_qty == qty)

    @rule(account=accounts, side=sides, qty=quantities, stp=stp_modes)
    def market_by_quantity(self, account, side, qty, stp):
        result = self._submit(account, side, OrderType.MARKET, quantity=qty, self_trade_prevention=stp)
        if result is not None:
            assert not result.order.is_open

    @rule(account=accounts, side=sides, amount=st.integers(1, 800).map(D), stp=stp_modes)
    def market_by_quote(self, account, side, amount, stp):
        result = self._submit(account, side, OrderType.MARKET, quote_order_qty=amount, self_trade_prevention=stp)
        if result is not None:
            assert not result.order.is_open
            assert result.order.cummulative_quote_qty <= amount

    @rule(account=accounts, side=sides, qty=quantities, price=prices)
    def limit_maker(self, account, side, qty, price):
        result = self._submit(account, side, OrderType.LIMIT_MAKER, quantity=qty, price=price)
        if result is not None:
            assert result.fills == [] and result.order.status is OrderStatus.NEW

    @rule(account=accounts, side=sides, qty=quantities, stop=prices, offset=st.integers(-4, 4),
          kind=st.sampled_from([OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                                OrderType.TAKE_PROFIT_LIMIT]))
    def stop(self, account, side, qty, stop, offset, kind):
        kwargs = {"quantity": qty, "stop_price": stop}
        if kind.has_limit_price:
            kwargs["price"] = max(SPEC.min_price, stop + D(offset) / 2)
        result = self._submit(account, side, kind, **kwargs)
        if result is not None:
            assert result.order.is_working is False and result.fills == []

    @precondition(lambda self: any(self.engine.open_orders(a) for a in ACCOUNTS))
    @rule(data=st.data())
    def cancel(self, data):
        open_orders = [o for a in ACCOUNTS for o in self.engine.open_orders(a)]
        order = data.draw(st.sampled_from(open_orders))
        self.now += 1
        self.events.clear()
        cancelled = self.engine.cancel(order.account, SYMBOL, order_id=order.order_id)
        self._digest_events()
        assert cancelled.status is OrderStatus.CANCELED
        assert cancelled.executed_qty == order.executed_qty

    # ------------------------------------------------------------ invariants

    @invariant()
    def book_is_never_crossed(self):
        bid, ask = self.engine.best_bid_ask(SYMBOL)
        if bid is not None and ask is not None:
            assert bid[0] < ask[0]

    @invariant()
    def book_holds_exactly_the_working_remainders(self):
        expected = {Side.BUY: defaultdict(Decimal), Side.SELL: defaultdict(Decimal)}
        for account in ACCOUNTS:
            for order in self.engine.open_orders(account):
                assert order.remaining > 0
                if order.is_working:
                    expected[order.side][order.price] += order.remaining
        bids, asks = self.engine.depth(SYMBOL, limit=1000)
        assert dict(bids) == dict(expected[Side.BUY])
        assert dict(asks) == dict(expected[Side.SELL])
        assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
        assert [p for p, _ in asks] == sorted(p for p, _ in asks)

    @invariant()
    def balances_are_never_negative_and_locks_match_open_orders(self):
        for account in ACCOUNTS:
            balances = self.engine.balances(account)
            locked = defaultdict(Decimal)
            for order in self.engine.open_orders(account):
                asset = "USD" if order.side is Side.BUY else "XYZ"
                locked[asset] += order.locked
                if order.is_working and order.price is not None:
                    need = order.remaining * order.price if order.side is Side.BUY else order.remaining
                    assert order.locked == need
            for asset, balance in balances.items():
                assert balance.free >= 0 and balance.locked >= 0
                assert balance.locked == locked[asset]

    @invariant()
    def assets_are_conserved_net_of_fees(self):
        for asset, deposited in DEPOSITS.items():
            held = sum(self.engine.balances(a).get(asset).total for a in ACCOUNTS)
            assert held + self.fees[asset] == deposited * len(ACCOUNTS)

    @invariant()
    def every_order_quantity_is_accounted_for(self):
        for order_id, account in self.order_ids.items():
            order = self.engine.get_order(account, SYMBOL, order_id=order_id)
            assert order.executed_qty == self.filled[order_id]
            assert 0 <= order.executed_qty <= order.quantity
            # executed + still open + cancelled/expired = ordered
            open_qty = order.remaining if order.is_open else D(0)
            closed_qty = D(0) if order.is_open else order.remaining
            assert order.executed_qty + open_qty + closed_qty == order.quantity
            assert (order.status is OrderStatus.FILLED) == (order.executed_qty == order.quantity > 0)

    # --------------------------------------------------------------- helpers

    def _fingerprint(self):
        engine = self.engine
        return (
            engine.depth(SYMBOL, limit=1000),
            engine.update_id(SYMBOL),
            [engine.balances(a) for a in ACCOUNTS],
            [engine.open_orders(a) for a in ACCOUNTS],
        )

    def _digest_events(self):
        """Record fills and fees, and check price-time priority of each taker's maker fills."""
        makers_hit: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
        taker_side: dict[int, Side] = {}
        for event in self.events:
            if isinstance(event, OrderUpdated):
                order = event.order
                if event.kind in ("NEW", "TRIGGERED") and order.is_working:
                    self.arrival.setdefault(order.order_id, len(self.arrival))
                if event.fill is not None:
                    fill = event.fill
                    self.filled[fill.order_id] += fill.qty
                    self.fees[fill.commission_asset] += fill.commission
                    assert fill.qty > 0 and fill.quote_qty == fill.price * fill.qty
            elif isinstance(event, TradePrinted):
                trade = event.trade
                taker, maker = (
                    (trade.seller_order_id, trade.buyer_order_id) if trade.buyer_is_maker
                    else (trade.buyer_order_id, trade.seller_order_id)
                )
                taker_side[taker] = Side.SELL if trade.buyer_is_maker else Side.BUY
                makers_hit[taker].append((trade.price, self.arrival[maker]))
        for taker, hits in makers_hit.items():
            if taker_side[taker] is Side.BUY:
                expected = sorted(hits)
            else:
                expected = sorted(hits, key=lambda hit: (-hit[0], hit[1]))
            assert hits == expected, "makers must be hit best price first, then oldest first"


EngineMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineInvariants = EngineMachine.TestCase
