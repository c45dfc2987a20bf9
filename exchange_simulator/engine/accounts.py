"""Per-account balances: free and locked amount of every asset."""
from __future__ import annotations

from decimal import Decimal

from exchange_simulator.engine.model import ZERO, Balance


class Holding:
    """Mutable balance of one asset in one account."""

    __slots__ = ("free", "locked")

    def __init__(self) -> None:
        self.free = ZERO
        self.locked = ZERO

    def frozen(self) -> Balance:
        return Balance(self.free, self.locked)


class Accounts:
    __slots__ = ("_holdings", "dirty", "tracking")

    def __init__(self) -> None:
        self._holdings: dict[str, dict[str, Holding]] = {}
        # (account, asset) pairs changed since the engine last reported balances, kept only while tracking.
        self.dirty: set[tuple[str, str]] = set()
        self.tracking = False

    def holding(self, account: str, asset: str) -> Holding:
        assets = self._holdings.get(account)
        if assets is None:
            assets = self._holdings[account] = {}
        holding = assets.get(asset)
        if holding is None:
            holding = assets[asset] = Holding()
        return holding

    def assets(self, account: str) -> dict[str, Holding]:
        """The account's holdings by asset (created empty for a new account)."""
        assets = self._holdings.get(account)
        if assets is None:
            assets = self._holdings[account] = {}
        return assets

    def free(self, account: str, asset: str) -> Decimal:
        assets = self._holdings.get(account)
        holding = assets.get(asset) if assets else None
        return holding.free if holding is not None else ZERO

    def deposit(self, account: str, asset: str, amount: Decimal) -> None:
        holding = self.holding(account, asset)
        if holding.free + amount < 0:
            raise ValueError(f"withdrawal of {-amount} {asset} exceeds the free balance of {account}")
        holding.free += amount
        if self.tracking:
            self.dirty.add((account, asset))

    def lock(self, account: str, asset: str, amount: Decimal) -> bool:
        """Move `amount` from free to locked; False (and no change) when the free balance is short."""
        assets = self._holdings.get(account)
        holding = assets.get(asset) if assets is not None else None
        if holding is None:
            holding = self.holding(account, asset)
        if holding.free < amount:
            return False
        holding.free -= amount
        holding.locked += amount
        if self.tracking:
            self.dirty.add((account, asset))
        return True

    def unlock(self, account: str, asset: str, amount: Decimal) -> None:
        if amount:
            holding = self._holdings[account][asset]  # it held the amount locked, so it exists
            holding.locked -= amount
            holding.free += amount
            if self.tracking:
                self.dirty.add((account, asset))

    def balances(self, account: str) -> dict[str, Balance]:
        return {asset: holding.frozen() for asset, holding in self._holdings.get(account, {}).items()}

    def accounts(self) -> list[str]:
        return list(self._holdings)

    def take_dirty(self) -> dict[str, dict[str, Balance]]:
        """Current balances of everything changed since the last call, grouped by account."""
        changed: dict[str, dict[str, Balance]] = {}
        for account, asset in sorted(self.dirty):
            changed.setdefault(account, {})[asset] = self._holdings[account][asset].frozen()
        self.dirty.clear()
        return changed
