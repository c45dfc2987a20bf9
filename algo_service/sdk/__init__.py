"""The strategy SDK: subclass `Strategy`, declare `Params`, and register it under the
`trading_system.strategies` entry-point group (see docs/strategies.md)."""
from algo_service.sdk.events import FillView, OrderUpdate, OrderView
from algo_service.sdk.orders import AlgoOrders
from algo_service.sdk.params import DecimalParam, Fraction, PositiveDecimal
from algo_service.sdk.strategy import NoParams, Strategy, StrategyContext

__all__ = ["AlgoOrders", "DecimalParam", "FillView", "Fraction", "NoParams", "OrderUpdate", "OrderView",
           "PositiveDecimal", "Strategy", "StrategyContext"]
