"""Coinbase Advanced Trade order operations on the shared venue (transport-neutral: dicts in, dicts out)."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from werkzeug.datastructures import MultiDict

from exchange_simulator.coinbase import errors, serialise
from exchange_simulator.coinbase.ledger import OrderLedger, OrderRecord
from exchange_simulator.coinbase.order_request import NewOrder, OrderFailure, parse_new_order
from exchange_simulator.engine import Engine, OrderRejected, RejectReason, SymbolSpec, UnknownOrder
from exchange_simulator.venue import Venue

DEFAULT_PAGE = 100
MAX_PAGE = 1000
MAX_BATCH_CANCEL = 100

_FAILURES = {
    RejectReason.INSUFFICIENT_BALANCE: ("INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND",
                                        "Insufficient balance in source account"),
    RejectReason.WOULD_TAKE: ("INVALID_LIMIT_PRICE_POST_ONLY", "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY",
                              "Limit price would take liquidity, which a post-only order may not"),
    RejectReason.WOULD_TRIGGER_IMMEDIATELY: ("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_STOP_PRICE",
                                             "Stop price would trigger immediately"),
    RejectReason.UNKNOWN_SYMBOL: ("INVALID_PRODUCT_ID", "PREVIEW_INVALID_PRODUCT_ID", "Invalid product_id"),
    RejectReason.FILTER_PRICE: ("INVALID_PRICE_PRECISION", "PREVIEW_INVALID_PRICE_PRECISION",
                                "Price does not meet the product's quote increment"),
    RejectReason.FILTER_NOTIONAL: ("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL",
                                   "Order value is below the product's minimum"),
    RejectReason.MATCHING_PAUSED: ("ORDER_ENTRY_DISABLED", "UNKNOWN_PREVIEW_FAILURE_REASON",
                                   "Order entry is disabled for this product"),
}


def _failure_of(exc: OrderRejected, spec: SymbolSpec | None, size: Decimal | None) -> OrderFailure:
    if exc.reason is RejectReason.FILTER_LOT_SIZE and spec is not None and size is not None:
        if size < spec.min_qty:
            return OrderFailure("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL",
                                f"base_size is below the minimum of {serialise.number(spec.min_qty)}")
        if size > spec.max_qty:
            return OrderFailure("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE",
                                f"base_size is above the maximum of {serialise.number(spec.max_qty)}")
        return OrderFailure("INVALID_SIZE_PRECISION", "PREVIEW_INVALID_SIZE_PRECISION",
                            f"base_size must be a multiple of {serialise.number(spec.step_size)}")
    if exc.reason in _FAILURES:
        error, preview, message = _FAILURES[exc.reason]
        return OrderFailure(error, preview, message)
    return OrderFailure("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_ORDER_CONFIG", exc.detail)


def _failure_envelope(failure: OrderFailure, configuration: Any) -> dict:
    return {
        "success": False,
        "failure_reason": "UNKNOWN_FAILURE_REASON",
        "order_id": "",
        "error_response": {
            "error": failure.error, "message": failure.message, "error_details": failure.message,
            "preview_failure_reason": failure.preview_failure_reason,
            "new_order_failure_reason": failure.error,
        },
        "order_configuration": configuration,
    }


def _success_envelope(record: OrderRecord) -> dict:
    return {
        "success": True,
        "failure_reason": "UNKNOWN_FAILURE_REASON",
        "order_id": record.order_id,
        "success_response": {"order_id": record.order_id, "product_id": record.product_id,
                             "side": record.side.value, "client_order_id": record.client_order_id},
        "order_configuration": record.configuration,
    }


class CoinbaseTrading:
    def __init__(self, venue: Venue, ledger: OrderLedger, clock: Callable[[], int]):
        self._venue = venue
        self._ledger = ledger
        self._clock = clock

    # -- orders ---------------------------------------------------------------------------------------

    def create_order(self, account: str, body: Any) -> dict:
        """Place an order; the same client_order_id again answers with the order it already names."""
        try:
            request = parse_new_order(body)
        except OrderFailure as failure:
            return _failure_envelope(failure, body.get("order_configuration") if isinstance(body, dict) else None)
        with self._venue.session() as engine:
            self._expire_due(engine)
            existing = self._ledger.by_client_id(account, request.client_order_id)
            if existing is not None:
                return _success_envelope(existing)
            spec = engine.symbols.get(request.product_id)
            try:
                if spec is not None and request.quote_size is not None and request.quote_size % spec.tick_size:
                    raise OrderFailure("INVALID_SIZE_PRECISION", "PREVIEW_INVALID_QUOTE_SIZE_PRECISION",
                                       f"quote_size must be a multiple of {serialise.number(spec.tick_size)}")
                engine_id = self._submit(engine, account, request, spec)
            except OrderFailure as failure:
                return _failure_envelope(failure, request.configuration)
            record = OrderRecord(str(uuid.uuid4()), engine_id, account, request.client_order_id,
                                 request.product_id, request.side, request.kind, request.configuration,
                                 self._clock(), request.end_ms)
            self._ledger.add(record)
            return _success_envelope(record)

    @staticmethod
    def _submit(engine: Engine, account: str, request: NewOrder, spec: SymbolSpec | None) -> int:
        try:
            result = engine.submit(account, request.product_id, request.side, request.type,
                                   quantity=request.base_size, price=request.limit_price,
                                   time_in_force=request.time_in_force, stop_price=request.stop_price,
                                   quote_order_qty=request.quote_size)
        except OrderRejected as exc:
            raise _failure_of(exc, spec, request.base_size) from None
        return result.order.order_id

    def get_order(self, account: str, order_id: str) -> dict:
        with self._venue.session() as engine:
            self._expire_due(engine)
            record = self._ledger.order(account, order_id)
            if record is None:
                raise errors.not_found("order with this orderID was not found")
            return {"order": self._order_json(engine, record)}

    def list_orders(self, account: str, statuses: Sequence[str], products: Sequence[str], limit: int | None,
                    cursor: str | None) -> dict:
        wanted_status, wanted_products = set(statuses), set(products)
        with self._venue.session() as engine:
            self._expire_due(engine)
            matching = []
            for record in self._ledger.orders(account):
                if wanted_products and record.product_id not in wanted_products:
                    continue
                order = engine.get_order(account, record.product_id, order_id=record.engine_id)
                if not wanted_status or serialise.status(record, order) in wanted_status:
                    matching.append((record, order))
        page, next_cursor = _page(matching, limit, cursor)
        return {"orders": [serialise.order_json(record, order) for record, order in page], "sequence": "0",
                "has_next": bool(next_cursor), "cursor": next_cursor}

    def list_fills(self, account: str, order_ids: Sequence[str], products: Sequence[str], start: str | None,
                   limit: int | None, cursor: str | None) -> dict:
        wanted_orders, wanted_products = set(order_ids), set(products)
        start_ms = _parse_time(start, "start_sequence_timestamp") if start else None
        with self._venue.session():
            fills = [f for f in self._ledger.fills(account)
                     if (not wanted_orders or f.order_id in wanted_orders)
                     and (not wanted_products or f.product_id in wanted_products)
                     and (start_ms is None or f.time_ms >= start_ms)]
        page, next_cursor = _page([serialise.fill_json(f, account) for f in fills], limit, cursor)
        return {"fills": page, "cursor": next_cursor}

    def batch_cancel(self, account: str, body: Any) -> dict:
        order_ids = body.get("order_ids") if isinstance(body, dict) else None
        if not isinstance(order_ids, list) or not order_ids or not all(isinstance(i, str) for i in order_ids):
            raise errors.invalid_argument("order_ids must be a non-empty list of order ids")
        if len(order_ids) > MAX_BATCH_CANCEL:
            raise errors.invalid_argument(f"at most {MAX_BATCH_CANCEL} orders can be cancelled at once")
        with self._venue.session() as engine:
            self._expire_due(engine)
            return {"results": [self._cancel(engine, account, order_id) for order_id in order_ids]}

    def _cancel(self, engine: Engine, account: str, order_id: str) -> dict:
        record = self._ledger.order(account, order_id)
        reason = "UNKNOWN_CANCEL_FAILURE_REASON"
        if record is None:
            reason = "UNKNOWN_CANCEL_ORDER"
        else:
            try:
                engine.cancel(account, record.product_id, order_id=record.engine_id)
            except UnknownOrder:
                done = engine.get_order(account, record.product_id, order_id=record.engine_id)
                reason = ("DUPLICATE_CANCEL_REQUEST" if serialise.status(record, done) == "CANCELLED"
                          else "COMMANDER_REJECTED_CANCEL_ORDER")
            else:
                return {"success": True, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": order_id}
        return {"success": False, "failure_reason": reason, "order_id": order_id}

    # -- products -------------------------------------------------------------------------------------

    def products(self, product_ids: Sequence[str]) -> dict:
        with self._venue.session() as engine:
            rows = [self._product_json(engine, spec) for symbol, spec in sorted(engine.symbols.items())
                    if not product_ids or symbol in product_ids]
        return {"products": rows, "num_products": len(rows)}

    def product(self, product_id: str) -> dict:
        with self._venue.session() as engine:
            spec = engine.symbols.get(product_id)
            if spec is None:
                raise errors.not_found(f"product {product_id} not found")
            return self._product_json(engine, spec)

    # -- internals ------------------------------------------------------------------------------------

    def _product_json(self, engine: Engine, spec: SymbolSpec) -> dict:
        market = self._venue.market
        price = market.mid(spec.symbol) if spec.symbol in market.symbols else engine.last_trade_price(spec.symbol)
        return serialise.product_json(spec, price)

    @staticmethod
    def _order_json(engine: Engine, record: OrderRecord) -> dict:
        return serialise.order_json(record, engine.get_order(record.account, record.product_id,
                                                             order_id=record.engine_id))

    def _expire_due(self, engine: Engine) -> None:
        """GTD orders are expired lazily, when the account next talks to the venue: nobody sees them sooner."""
        for record in self._ledger.take_due(self._clock()):
            try:
                engine.cancel(record.account, record.product_id, order_id=record.engine_id)
            except UnknownOrder:
                continue  # it finished before its end time
            record.expired = True


def _page(rows: list, limit: int | None, cursor: str | None) -> tuple[list, str]:
    """Offset pagination; the cursor is the opaque offset of the next page ("" after the last one)."""
    try:
        start = int(cursor) if cursor else 0
    except ValueError:
        raise errors.invalid_argument("invalid cursor") from None
    size = min(max(limit or DEFAULT_PAGE, 1), MAX_PAGE)
    end = start + size
    return rows[start:end], (str(end) if end < len(rows) else "")


def _parse_time(raw: str, name: str) -> int:
    try:
        return int(datetime.fromisoformat(raw).timestamp() * 1000)
    except ValueError:
        raise errors.invalid_argument(f"{name} must be an RFC 3339 timestamp") from None


def query_list(args: MultiDict, *names: str) -> list[str]:
    """Values of repeated query parameters, under any of their names (Coinbase renamed some)."""
    return [value for name in names for value in args.getlist(name) if value]
