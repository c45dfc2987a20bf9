"""The strategy catalog: every class registered under the `trading_system.strategies` entry points."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Iterable

from pydantic import BaseModel

from algo_service.sdk.strategy import Strategy

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "trading_system.strategies"
# The shipped strategies, also declared as entry points in pyproject.toml; listed here too so that a
# checkout whose package metadata predates them still offers them.
SHIPPED = {
    "spread-crypto-etf": "algo_service.strategies.spread_crypto_etf:SpreadCryptoEtf",
    "twap": "algo_service.strategies.twap:Twap",
}


class UnknownStrategy(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no strategy named {name!r}; the catalog has: {', '.join(known) or 'nothing'}")
        self.name = name
        self.known = known


@dataclass(frozen=True)
class StrategySpec:
    name: str
    description: str
    cls: type[Strategy]

    @property
    def params_model(self) -> type[BaseModel]:
        return self.cls.Params

    def params_schema(self) -> dict[str, Any]:
        return self.cls.Params.model_json_schema()

    def validate(self, params: dict[str, Any]) -> BaseModel:
        """The params as the strategy's model; raises pydantic's ValidationError naming the field."""
        return self.cls.Params.model_validate(params)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "params_schema": self.params_schema()}


class Catalog:
    def __init__(self, specs: dict[str, StrategySpec]) -> None:
        self.specs = dict(sorted(specs.items()))

    @classmethod
    def load(cls, extra: Iterable[str] = ()) -> "Catalog":
        """Every installed strategy (entry points, the shipped ones) and `extra` "name=module:Class" entries."""
        targets = dict(SHIPPED)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            targets[ep.name] = ep.value
        for entry in extra:
            name, _, target = entry.partition("=")
            targets[name.strip()] = target.strip()
        specs = {}
        for name, target in targets.items():
            try:
                strategy = _load(target)
            except Exception:  # a broken third-party package must not hide the others
                log.exception("strategy %s (%s) could not be loaded", name, target)
                continue
            specs[name] = StrategySpec(name, strategy.description or (strategy.__doc__ or "").strip(), strategy)
        return cls(specs)

    def names(self) -> list[str]:
        return list(self.specs)

    def get(self, name: str) -> StrategySpec:
        try:
            return self.specs[name]
        except KeyError:
            raise UnknownStrategy(name, self.names()) from None


def _load(target: str) -> type[Strategy]:
    from importlib import import_module

    module_name, _, attribute = target.partition(":")
    value = import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    if not (isinstance(value, type) and issubclass(value, Strategy)):
        raise TypeError(f"{target} is not a Strategy subclass")
    return value
