"""USD-M error codes beyond the ones it shares with spot (exchange_simulator.binance.errors)."""
from __future__ import annotations

from decimal import Decimal

from exchange_simulator.binance.errors import BinanceError


def margin_insufficient() -> BinanceError:
    return BinanceError(-2019, "Margin is insufficient.")


def reduce_only_rejected() -> BinanceError:
    return BinanceError(-2022, "ReduceOnly Order is rejected.")


def position_side_mismatch() -> BinanceError:
    return BinanceError(-4061, "Order's position side does not match user's setting.")


def notional_too_small(minimum: Decimal) -> BinanceError:
    return BinanceError(-4164, f"Order's notional must be no smaller than {minimum:f} (unless you choose reduce only).")


def post_only_would_take() -> BinanceError:
    return BinanceError(-5022, "Due to the order could not be executed as maker, the Post Only order will be "
                               "rejected. The order will not be recorded in the order history")


def invalid_leverage(leverage: int) -> BinanceError:
    return BinanceError(-4028, f"Leverage {leverage} is not valid")


def quantity_above_market_max() -> BinanceError:
    return BinanceError(-4005, "Quantity greater than max quantity.")


def duplicate_client_order_id() -> BinanceError:
    return BinanceError(-4116, "ClientOrderId is duplicated.")


def invalid_good_till_date() -> BinanceError:
    return BinanceError(-4207, "Good till date must be greater than current time.")
