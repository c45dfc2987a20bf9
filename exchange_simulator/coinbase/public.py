"""Coinbase's public v2 prices under /coinbase/v2: exchange rates and spot prices, from the simulated world.

USD/BRL is the world's rate; crypto prices are the mids of the simulated Coinbase books (USD quoted).
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from flask import Blueprint, Response, request

from exchange_simulator.coinbase import errors
from exchange_simulator.faults import apply_faults
from exchange_simulator.world import World

if TYPE_CHECKING:
    from exchange_simulator.coinbase.dialect import CoinbaseDialect

URL_PREFIX = "/coinbase/v2"
_DIGITS = Decimal("1e-10")


def _plain(value: Decimal) -> str:
    """A rate as Coinbase writes it: a decimal string without superfluous zeros or an exponent."""
    return format(value.quantize(_DIGITS, ROUND_HALF_EVEN).normalize(), "f")


class PriceBoard:
    """The USD value of every currency the simulated world prices."""

    def __init__(self, world: World, venue: str = "coinbase"):
        self._world = world
        self._venue = venue

    def usd_values(self) -> dict[str, Decimal]:
        values = {"USD": Decimal(1), "BRL": 1 / self._world.usd_brl()}
        venue = self._world.venues.get(self._venue)
        if venue is not None:
            for symbol in venue.market.symbols:
                base, _, quote = symbol.partition("-")
                mid = self._world.mid(self._venue, symbol)
                if quote == "USD" and mid:
                    values[base] = mid
        return values

    def rates(self, currency: str) -> dict[str, str]:
        """Units of each currency per one unit of `currency`."""
        values = self.usd_values()
        if currency not in values:
            raise errors.V2Error(400, "invalid_request", f"Currency {currency} is invalid")
        if currency == "USD":  # the common case: exactly the world's rate, no round trip through 1/x
            return {c: _plain(self._world.usd_brl() if c == "BRL" else 1 / v) for c, v in values.items()}
        return {c: _plain(values[currency] / v) for c, v in values.items()}

    def spot(self, base: str, quote: str) -> Decimal:
        values = self.usd_values()
        if base not in values or quote not in values:
            raise errors.V2Error(404, "not_found", "Invalid currency pair")
        if (base, quote) == ("USD", "BRL"):
            return self._world.usd_brl()
        return values[base] / values[quote]


def create_public_blueprint(dialect: "CoinbaseDialect") -> Blueprint:
    bp = Blueprint("coinbase_public", __name__, url_prefix=URL_PREFIX)
    board = PriceBoard(dialect.world)

    @bp.before_request
    def before() -> None:
        deferred = apply_faults(dialect.faults, dialect.name, request.path, errors.from_fault)
        if deferred is not None:  # nothing to execute on a read: answer with the error straight away
            raise errors.V2Error(deferred.http_status, deferred.error.lower(), deferred.message)

    @bp.errorhandler(errors.CoinbaseError)
    def brokerage_error(error: errors.CoinbaseError) -> Response:
        return errors.response(errors.V2Error(error.http_status, error.error.lower(), error.message))

    @bp.errorhandler(errors.V2Error)
    def v2_error(error: errors.V2Error) -> Response:
        return errors.response(error)

    @bp.get("/exchange-rates")
    def exchange_rates():
        currency = (request.args.get("currency") or "USD").upper()
        return {"data": {"currency": currency, "rates": board.rates(currency)}}

    @bp.get("/prices/<pair>/spot")
    def spot_price(pair: str):
        base, _, quote = pair.upper().partition("-")
        return {"data": {"amount": _plain(board.spot(base, quote)), "base": base, "currency": quote}}

    return bp
