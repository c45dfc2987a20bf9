"""USD-M error codes on top of the spot ones.

The spot mapping (order_service.adapters.binance.errors) already turns them into VenueRejected, like
every 4xx answer with a code: each of them is final.
"""
from __future__ import annotations

MARGIN_INSUFFICIENT = -2019
REDUCE_ONLY_REJECTED = -2022
POSITION_SIDE_MISMATCH = -4061
NOTIONAL_TOO_SMALL = -4164
POST_ONLY_WOULD_TAKE = -5022
DUPLICATE_CLIENT_ORDER_ID = -4116

