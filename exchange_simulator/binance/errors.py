"""Binance error codes and messages, as the real venue words them."""
from __future__ import annotations

from exchange_simulator.faults import Fault, FaultKind


class BinanceError(Exception):
    """A request the venue answers with ``{"code": ..., "msg": ...}``."""

    def __init__(self, code: int, msg: str, http_status: int = 400, headers: dict[str, str] | None = None,
                 data: dict | None = None):
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.headers = headers or {}
        self.data = data

    def body(self) -> dict:
        if self.data is not None:
            return {"code": self.code, "msg": self.msg, "data": self.data}
        return {"code": self.code, "msg": self.msg}


def unknown(msg: str = "An unknown error occurred while processing the request.", status: int = 500) -> BinanceError:
    return BinanceError(-1000, msg, status)


def service_unavailable() -> BinanceError:
    return BinanceError(-1008, "Server is currently overloaded with other requests. Please try again in a few minutes.", 503)


def backend_timeout(status: int = 408) -> BinanceError:
    return BinanceError(
        -1007,
        "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
        status,
    )


def too_many_requests(limit: int, retry_after: int, ip: str) -> BinanceError:
    return BinanceError(
        -1003,
        f"Too many requests; current limit of IP({ip}) is {limit} requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
        429,
        {"Retry-After": str(retry_after)},
    )


def too_many_orders(limit: int, interval: str, retry_after: int) -> BinanceError:
    return BinanceError(
        -1015, f"Too many new orders; current limit is {limit} orders per {interval}.", 429,
        {"Retry-After": str(retry_after)},
    )


def timestamp_outside_window() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def timestamp_ahead() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def bad_signature() -> BinanceError:
    return BinanceError(-1022, "Signature for this request is not valid.")


def illegal_chars(param: str, legal: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{param}'; legal range is '{legal}'.")


def duplicate_parameter() -> BinanceError:
    return BinanceError(-1101, "Duplicate values for a parameter detected.")


def too_many_parameters() -> BinanceError:
    return BinanceError(-1101, "Too many parameters sent for this endpoint.")


def mandatory_missing(param: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{param}' was not sent, was empty/null, or malformed.")


def one_of_missing(first: str, second: str) -> BinanceError:
    return BinanceError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def unread_parameters(read: int, sent: int) -> BinanceError:
    return BinanceError(-1104, f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'.")


def not_required(param: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{param}' sent when not required.")


def invalid_tif() -> BinanceError:
    return BinanceError(-1115, "Invalid timeInForce.")


def invalid_order_type() -> BinanceError:
    return BinanceError(-1116, "Invalid orderType.")


def invalid_side() -> BinanceError:
    return BinanceError(-1117, "Invalid side.")


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def invalid_listen_key() -> BinanceError:
    return BinanceError(-1125, "This listenKey does not exist.")


def bad_recv_window() -> BinanceError:
    return BinanceError(-1131, "recvWindow must be less than 60000")


def filter_failure(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def invalid_parameter(msg: str) -> BinanceError:
    return BinanceError(-1013, msg)


def new_order_rejected(msg: str) -> BinanceError:
    return BinanceError(-2010, msg)


def cancel_rejected() -> BinanceError:
    return BinanceError(-2011, "Unknown order sent.")


def order_does_not_exist() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def api_key_format_invalid() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", 401)


def api_key_rejected() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def cancel_replace_partially_failed(data: dict) -> BinanceError:
    return BinanceError(-2021, "Order cancel-replace partially failed.", 409, data=data)


def cancel_replace_failed(data: dict) -> BinanceError:
    return BinanceError(-2022, "Order cancel-replace failed.", 400, data=data)


def from_fault(fault: Fault, limit: int, ip: str) -> BinanceError:
    """The error an injected fault answers with; a 429 quotes the IP's request weight limit."""
    if fault.kind is FaultKind.HTTP_5XX:
        error = service_unavailable()
        error.http_status = fault.status or 503
        return error
    if fault.kind is FaultKind.TIMEOUT_1007:
        return backend_timeout(fault.status or 408)
    return too_many_requests(limit, fault.retry_after, ip)
