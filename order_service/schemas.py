"""Request and response models of the order API; /openapi.json is generated from them."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from shared.decimals import parse_decimal
from shared.domain import OrderStatus, OrderType, Side, TimeInForce


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
    Field(json_schema_extra={"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["0.01"]}),
]
PositiveMoney = Annotated[Money, BeforeValidator(lambda v: _positive(parse_decimal(v)))]
Identifier = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=64)]


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    venue: Name
    symbol: Name
    side: Side
    type: OrderType
    quantity: PositiveMoney
    time_in_force: TimeInForce | None = None
    price: PositiveMoney | None = None
    stop_price: PositiveMoney | None = None
    post_only: bool = False
    reduce_only: bool = False
    client_order_id: Identifier | None = None
    account: Name | None = None
    broker: Name | None = None
    algo_id: Name | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "OrderCreate":
        needs_price = self.type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_stop = self.type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
        if needs_price and self.price is None:
            raise _field_error("price", f"price is required for {self.type.value} orders")
        if not needs_price and self.price is not None:
            raise _field_error("price", f"price is not allowed on {self.type.value} orders")
        if needs_stop and self.stop_price is None:
            raise _field_error("stop_price", f"stop_price is required for {self.type.value} orders")
        if not needs_stop and self.stop_price is not None:
            raise _field_error("stop_price", f"stop_price is not allowed on {self.type.value} orders")
        if self.post_only and self.type is not OrderType.LIMIT:
            raise _field_error("post_only", "post_only is only allowed on LIMIT orders")
        if self.post_only and self.time_in_force not in (None, TimeInForce.GTC):
            raise _field_error("time_in_force", "post_only orders rest on the book: time_in_force must be GTC")
        if self.type in (OrderType.MARKET, OrderType.STOP_MARKET) and self.time_in_force not in (None, TimeInForce.IOC):
            raise _field_error("time_in_force", f"{self.type.value} orders take no time_in_force other than IOC")
        if self.time_in_force is TimeInForce.GTD:
            raise _field_error("time_in_force", "GTD orders need an expiry time, which this API does not take yet")
        return self


class OrderAmend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: PositiveMoney | None = None
    price: PositiveMoney | None = None

    @model_validator(mode="after")
    def _something(self) -> "OrderAmend":
        if self.quantity is None and self.price is None:
            raise _field_error("price", "give a new price, a new quantity, or both")
        return self


class FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _field_error(field: str, message: str) -> FieldError:
    return FieldError(field, message)


class OrderOut(BaseModel):
    id: str
    client_order_id: str
    venue: str
    symbol: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce | None
    quantity: str
    price: str | None
    stop_price: str | None
    post_only: bool
    reduce_only: bool
    account: str | None
    broker: str | None
    algo_id: str | None
    status: OrderStatus
    filled_quantity: str
    remaining_quantity: str
    average_price: str | None
    venue_order_id: str | None
    reject_code: str | None
    reject_reason: str | None
    needs_reconcile: bool
    created_at: str
    updated_at: str
    version: int


class FillOut(BaseModel):
    fill_id: str
    order_id: str
    venue: str
    symbol: str
    side: Side
    venue_trade_id: str
    quantity: str
    price: str
    fee: str
    fee_asset: str
    liquidity: str | None
    time: str


class OrderPage(BaseModel):
    orders: list[OrderOut]
    next_cursor: str | None


class FillPage(BaseModel):
    fills: list[FillOut]
    next_cursor: str | None


class PositionOut(BaseModel):
    venue: str
    symbol: str
    account: str | None
    net_quantity: str = Field(description="bought minus sold; negative is short")
    average_entry_price: str | None = Field(description="average cost of the open quantity; null when flat")
    realized_pnl: str = Field(description="in the quote currency, by average cost; fees not included")
    bought_quantity: str
    sold_quantity: str
    average_buy_price: str | None
    average_sell_price: str | None
    fees: dict[str, str] = Field(description="fees paid, per asset")
    fills: int
    last_fill_at: str | None


class PositionList(BaseModel):
    positions: list[PositionOut]


class InstrumentOut(BaseModel):
    venue: str
    symbol: str
    kind: str
    base: str
    quote: str
    tick_size: str
    step_size: str
    lot_size: str
    min_quantity: str
    max_quantity: str | None
    min_notional: str


class VenueOut(BaseModel):
    name: str
    endpoint: str
    ws_endpoint: str | None
    ws_api_endpoint: str | None
    simulator: bool
    credentials_configured: bool
    enabled: bool
    disabled_reason: str | None
    reachable: bool
    instruments: int


class ProblemOut(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
