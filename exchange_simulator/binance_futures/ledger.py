"""USD-M futures accounting: wallet, one-way positions, leverage, margin and fees (all Decimal, no I/O).

The matching engine only matches futures orders (its balances for these accounts are effectively
unlimited); what a futures account can afford and what it holds is kept here, from the engine's fills.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
DEFAULT_LEVERAGE = 20
MAX_LEVERAGE = 125
MAKER_FEE = Decimal("0.0002")
TAKER_FEE = Decimal("0.0005")


@dataclass
class Position:
    """One symbol's position in one-way mode: signed amount (long > 0) at an average entry price."""

    amount: Decimal = ZERO
    entry_price: Decimal = ZERO
    realized_pnl: Decimal = ZERO  # accumulated, what Binance calls "cr"
    leverage: int = DEFAULT_LEVERAGE
    update_ms: int = 0

    def unrealized(self, mark: Decimal) -> Decimal:
        return self.amount * (mark - self.entry_price)

    def margin(self, mark: Decimal) -> Decimal:
        return abs(self.amount) * mark / self.leverage


@dataclass(frozen=True)
class Booking:
    """What one fill did to the account: the fee it paid and the profit it realised."""

    commission: Decimal
    realized_pnl: Decimal


@dataclass(frozen=True)
class Exposure:
    """The unfilled part of an open order, for its initial margin."""

    symbol: str
    is_buy: bool
    quantity: Decimal
    price: Decimal


@dataclass
class FuturesAccount:
    wallet: Decimal
    positions: dict[str, Position] = field(default_factory=dict)

    def position(self, symbol: str) -> Position:
        return self.positions.setdefault(symbol, Position())


class Ledger:
    """Every configured futures account. Not thread-safe: use it under the venue's lock."""

    def __init__(self, wallets: Mapping[str, Decimal], maker_fee: Decimal = MAKER_FEE,
                 taker_fee: Decimal = TAKER_FEE) -> None:
        self._accounts = {account: FuturesAccount(Decimal(amount)) for account, amount in wallets.items()}
        self.maker_fee = maker_fee
        self.taker_fee = taker_fee

    def __contains__(self, account: str) -> bool:
        return account in self._accounts

    def account(self, account: str) -> FuturesAccount:
        return self._accounts[account]

    def position(self, account: str, symbol: str) -> Position:
        return self._accounts[account].position(symbol)

    def set_leverage(self, account: str, symbol: str, leverage: int) -> None:
        if not 1 <= leverage <= MAX_LEVERAGE:
            raise ValueError(f"leverage {leverage} is outside 1..{MAX_LEVERAGE}")
        self.position(account, symbol).leverage = leverage

    def book_fill(self, account: str, symbol: str, is_buy: bool, quantity: Decimal, price: Decimal,
                  is_maker: bool, time_ms: int) -> Booking:
        """Apply one fill: pay the fee from the wallet, move the position, realise PnL on a reduction."""
        wallet = self._accounts[account]
        position = wallet.position(symbol)
        commission = quantity * price * (self.maker_fee if is_maker else self.taker_fee)
        signed = quantity if is_buy else -quantity
        realized = ZERO
        if position.amount == 0 or (position.amount > 0) == is_buy:
            total = abs(position.amount) + quantity
            position.entry_price = (abs(position.amount) * position.entry_price + quantity * price) / total
        else:
            closing = min(quantity, abs(position.amount))
            direction = 1 if position.amount > 0 else -1
            realized = closing * (price - position.entry_price) * direction
            if quantity > abs(position.amount):
                position.entry_price = price  # flipped: the remainder opens at this fill's price
        position.amount += signed
        if position.amount == 0:
            position.entry_price = ZERO
        position.realized_pnl += realized
        position.update_ms = time_ms
        wallet.wallet += realized - commission
        return Booking(commission, realized)

    # -- margin ------------------------------------------------------------------------------------

    def unrealized(self, account: str, marks: Mapping[str, Decimal]) -> Decimal:
        positions = self._accounts[account].positions
        return sum((p.unrealized(marks[s]) for s, p in positions.items() if p.amount), ZERO)

    def position_margin(self, account: str, marks: Mapping[str, Decimal]) -> Decimal:
        positions = self._accounts[account].positions
        return sum((p.margin(marks[s]) for s, p in positions.items() if p.amount), ZERO)

    def order_margin(self, account: str, exposures: Iterable[Exposure]) -> Decimal:
        """Initial margin of open orders, per symbol the larger of the buy and the sell side.

        Orders that would only close the current position need none, as on Binance.
        """
        by_symbol: dict[str, list[Exposure]] = {}
        for exposure in exposures:
            by_symbol.setdefault(exposure.symbol, []).append(exposure)
        total = ZERO
        for symbol, rows in by_symbol.items():
            position = self.position(account, symbol)
            sides = []
            for is_buy in (True, False):
                orders = [e for e in rows if e.is_buy == is_buy]
                quantity = sum((e.quantity for e in orders), ZERO)
                if not quantity:
                    continue
                notional = sum((e.quantity * e.price for e in orders), ZERO)
                closable = max(-position.amount if is_buy else position.amount, ZERO)
                opening = max(quantity - closable, ZERO)
                sides.append(notional * opening / quantity / position.leverage)
            total += max(sides, default=ZERO)
        return total

    def margin_balance(self, account: str, marks: Mapping[str, Decimal]) -> Decimal:
        return self._accounts[account].wallet + self.unrealized(account, marks)

    def available(self, account: str, marks: Mapping[str, Decimal], exposures: Iterable[Exposure]) -> Decimal:
        """Margin balance less the initial margin of positions and open orders."""
        return (self.margin_balance(account, marks) - self.position_margin(account, marks)
                - self.order_margin(account, exposures))

    def reduces(self, account: str, symbol: str, is_buy: bool, quantity: Decimal) -> bool:
        """Whether an order only reduces the position, never opening or flipping it."""
        amount = self.position(account, symbol).amount
        return (amount < 0 if is_buy else amount > 0) and quantity <= abs(amount)
