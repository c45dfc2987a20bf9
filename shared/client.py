"""A client of the order service REST API: keep-alive session, client order ids, safe retries only.

Errors are grouped by what the caller should do:
- `OrderRequestRejected` (4xx): the request is wrong or the order is in the wrong state; do not retry.
- `OrderServiceUnavailable`: the service could not be reached or failed (5xx); the outcome of a write is
  unknown. Placing again with the *same* client order id is safe (the service returns the existing order).

A new order is retried only with the client order id it was first sent with, so a retry can never
create a second order.
"""
from __future__ import annotations

import json
import logging
import uuid
from decimal import Decimal
from typing import Any, Iterator

import requests
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

_RETRY_STATUSES = {502, 503, 504}


class OrderClientError(Exception):
    """Base of the client's errors."""


class OrderRequestRejected(OrderClientError):
    """The service answered 4xx: the problem document says which field or state is at fault."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())
        self.status = status
        self.problem = problem
        self.field = problem.get("field")


class OrderServiceUnavailable(OrderClientError):
    """The service could not be reached, timed out or failed: the outcome of a write is unknown."""


class _WorthRetrying(OrderServiceUnavailable):
    """Unreachable or 502/503/504: a repeat of a safe request may well succeed."""


def new_client_order_id(prefix: str = "") -> str:
    """A client order id within the venues' limits (36 characters of [A-Za-z0-9_-])."""
    return (prefix + uuid.uuid4().hex)[:36]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "value") and not isinstance(value, (str, int)):
        return value.value  # enums
    return value


class OrderClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0, retries: int = 2, backoff: float = 0.2,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # -- orders ----------------------------------------------------------------------------------

    def place(self, **fields: Any) -> dict[str, Any]:
        """POST /api/v1/orders; a client order id is generated when none is given (and reused on retry)."""
        body = {k: _encode(v) for k, v in fields.items() if v is not None}
        body.setdefault("client_order_id", new_client_order_id())
        return self._call("POST", "/api/v1/orders", json_body=body, retry=True)

    def get(self, order_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/orders/{order_id}", retry=True)

    def cancel(self, order_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/api/v1/orders/{order_id}", retry=True)

    def amend(self, order_id: str, *, price: Decimal | None = None, quantity: Decimal | None = None) -> dict[str, Any]:
        # Setting an absolute price or quantity again has the same effect: safe to retry.
        body = {k: _encode(v) for k, v in (("price", price), ("quantity", quantity)) if v is not None}
        return self._call("PATCH", f"/api/v1/orders/{order_id}", json_body=body, retry=True)

    def orders(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every order matching the filters (all pages), newest first."""
        params = {k: _encode(v) for k, v in filters.items() if v is not None}
        params.setdefault("limit", 1000)
        while True:
            page = self._call("GET", "/api/v1/orders", params=params, retry=True)
            yield from page["orders"]
            if not page.get("next_cursor"):
                return
            params["cursor"] = page["next_cursor"]

    def fills(self, order_id: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/api/v1/orders/{order_id}/fills", retry=True)["fills"]

    def instrument(self, venue: str, symbol: str) -> dict[str, Any]:
        found = self._call("GET", "/api/v1/instruments", params={"venue": venue, "symbol": symbol},
                           retry=True)["instruments"]
        match = [i for i in found if i["symbol"] == symbol]
        if not match:
            raise OrderRequestRejected(404, {"title": "Unknown instrument", "detail": f"{venue} has no {symbol}",
                                             "field": "symbol"})
        return match[0]

    def close(self) -> None:
        self.session.close()

    # -- transport -------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, json_body: dict | None = None, params: dict | None = None,
              retry: bool = False) -> dict[str, Any]:
        data = json.dumps(json_body) if json_body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else None
        retrying = Retrying(stop=stop_after_attempt(1 + (self.retries if retry else 0)),
                            wait=wait_exponential(multiplier=self.backoff),
                            retry=retry_if_exception_type(_WorthRetrying), reraise=True)
        return retrying(self._once, method, path, data, params, headers)

    def _once(self, method: str, path: str, data: str | None, params: dict | None,
              headers: dict | None) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.base_url + path, data=data, params=params,
                                            headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise _WorthRetrying(f"{method} {path}: order service unreachable ({type(error).__name__})") from None
        if response.status_code < 400:
            return response.json()
        body = _problem(response)
        message = f"{method} {path}: {response.status_code} {body.get('detail', '')}"
        if response.status_code in _RETRY_STATUSES:
            raise _WorthRetrying(message)
        if response.status_code >= 500:
            raise OrderServiceUnavailable(message)
        raise OrderRequestRejected(response.status_code, body)


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason or "error", "detail": response.text[:200]}
    return body if isinstance(body, dict) else {"detail": str(body)}
