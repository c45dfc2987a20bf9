"""The perpetual contracts' own terms (futures minimum notional, precisions), read from the markets file.

The engine's symbol filters cover tick, step and quantity bounds; the futures minimum notional is kept
here instead, because Binance waives it for reduce-only orders and the engine cannot tell those apart.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from exchange_simulator.engine import SymbolSpec


@dataclass(frozen=True)
class Contract:
    spec: SymbolSpec
    min_notional: Decimal
    market_max_qty: Decimal
    price_precision: int
    quantity_precision: int

    @property
    def symbol(self) -> str:
        return self.spec.symbol


def load_contracts(path: str, specs: dict[str, SymbolSpec]) -> dict[str, Contract]:
    """The ``contract`` object of each symbol of a futures markets file, joined with its engine spec."""
    document = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    contracts = {}
    for entry in document["symbols"]:
        symbol = entry["symbol"]
        terms = entry.get("contract", {})
        spec = specs[symbol]
        contracts[symbol] = Contract(
            spec=spec,
            min_notional=Decimal(str(terms.get("min_notional", "5"))),
            market_max_qty=Decimal(str(terms.get("market_max_qty", spec.max_qty))),
            price_precision=int(terms.get("price_precision", _decimals(spec.tick_size))),
            quantity_precision=int(terms.get("quantity_precision", _decimals(spec.step_size))),
        )
    return contracts


def _decimals(step: Decimal) -> int:
    return max(0, -step.normalize().as_tuple().exponent)
