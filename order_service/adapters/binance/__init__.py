"""Binance spot venue adapter (REST + user data stream)."""
from order_service.adapters.binance.adapter import BinanceSpotAdapter
from order_service.adapters.binance.config import BinanceConfig

__all__ = ["BinanceConfig", "BinanceSpotAdapter"]
