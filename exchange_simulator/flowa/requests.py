"""Parsing of Flowa's PascalCase JSON request bodies into checked values (400 on anything malformed)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Collection

from exchange_simulator.flowa.errors import bad_request

SIDES = ("BUY", "SELL")
ORDER_TYPES = ("LIMIT", "MARKET", "MARKET_LIMIT", "STOP_LIMIT", "STOP_MARKET")
TIMES_IN_FORCE = ("DAY", "GTC", "GTD", "IOC", "FOK", "MOC", "MOA")
PRICED_TYPES = frozenset({"LIMIT", "STOP_LIMIT"})
STOP_TYPES = frozenset({"STOP_LIMIT", "STOP_MARKET"})
MAX_TEXT = 128


class Body:
    """A JSON object whose fields are looked up without regard to case, as ASP.NET binds them."""

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise bad_request("The request body must be a JSON object")
        self._fields = {str(k).lower(): v for k, v in raw.items()}

    def has(self, name: str) -> bool:
        return self._fields.get(name.lower()) is not None

    def raw(self, name: str) -> Any:
        return self._fields.get(name.lower())

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"The {name} field is required")
            return None
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise bad_request(f"The {name} field must be a string of at most {MAX_TEXT} characters")
        return value

    def choice(self, name: str, allowed: Collection[str], required: bool = False,
               default: str | None = None) -> str | None:
        value = self.text(name, required and default is None)
        if value is None:
            return default
        if value.upper() not in allowed:
            raise bad_request(f"The {name} field must be one of {', '.join(allowed)}")
        return value.upper()

    def decimal(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad_request(f"The {name} field must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise bad_request(f"The {name} field must be a number, not {value!r}") from None
        if not number.is_finite() or number <= 0:
            raise bad_request(f"The {name} field must be a positive number")
        return number

    def integer(self, name: str, required: bool = False) -> int | None:
        number = self.decimal(name)
        if number is None:
            if required:
                raise bad_request(f"The {name} field is required")
            return None
        if number != number.to_integral_value():
            raise bad_request(f"The {name} field must be a whole number of shares")
        return int(number)


@dataclass(frozen=True)
class NewOrder:
    broker: str
    account: str
    symbol: str
    side: str
    order_type: str
    time_in_force: str
    quantity: int
    price: Decimal | None
    stop_price: Decimal | None
    expire_date: str | None
    custom_id: str | None
    memo: str | None
    display_quantity: int | None


def parse_new_order(raw: Any, symbols: Collection[str]) -> NewOrder:
    body = Body(raw)
    symbol = body.text("Symbol", required=True)
    if symbol not in symbols:
        raise bad_request(f"Unknown symbol {symbol}")
    order_type = body.choice("OrderType", ORDER_TYPES, required=True)
    order = NewOrder(
        broker=body.text("Broker", required=True),
        account=body.text("Account", required=True),
        symbol=symbol,
        side=body.choice("Side", SIDES, required=True),
        order_type=order_type,
        time_in_force=body.choice("TimeInForce", TIMES_IN_FORCE, default="DAY"),
        quantity=body.integer("Quantity", required=True),
        price=body.decimal("Price"),
        stop_price=body.decimal("StopTriggerPrice"),
        expire_date=body.text("ExpireDate"),
        custom_id=body.text("CustomId"),
        memo=body.text("Memo"),
        display_quantity=body.integer("DisplayQuantity"),
    )
    _check_combination(order.order_type, order.time_in_force, order.price, order.stop_price, order.expire_date)
    return order


def _check_combination(order_type: str, tif: str, price, stop_price, expire_date) -> None:
    if order_type in PRICED_TYPES and price is None:
        raise bad_request(f"The Price field is required for {order_type} orders")
    if order_type not in PRICED_TYPES and price is not None:
        raise bad_request(f"{order_type} orders take no Price")
    if order_type in STOP_TYPES and stop_price is None:
        raise bad_request(f"The StopTriggerPrice field is required for {order_type} orders")
    if order_type not in STOP_TYPES and stop_price is not None:
        raise bad_request(f"{order_type} orders take no StopTriggerPrice")
    if tif == "GTD" and not expire_date:
        raise bad_request("The ExpireDate field is required for GTD orders")
    if tif in ("MOC", "MOA"):
        raise bad_request(f"TimeInForce {tif} (auction orders) is not supported by this simulator")


@dataclass(frozen=True)
class Amendment:
    quantity: int | None
    price: Decimal | None
    stop_price: Decimal | None
    display_quantity: int | None
    expire_date: str | None

    @property
    def changes_engine_order(self) -> bool:
        return self.quantity is not None or self.price is not None or self.stop_price is not None


def parse_amendment(raw: Any) -> Amendment:
    body = Body(raw)
    amendment = Amendment(body.integer("Quantity"), body.decimal("Price"), body.decimal("StopTriggerPrice"),
                          body.integer("DisplayQuantity"), body.text("ExpireDate"))
    if amendment == Amendment(None, None, None, None, None):
        raise bad_request("Nothing to change: send Quantity, Price, DisplayQuantity, StopTriggerPrice or ExpireDate")
    return amendment
