import pytest

from exchange_simulator.fanout import Connection, Hub
from exchange_simulator.faults import FaultInjector, FaultKind, apply_faults


def test_a_slow_client_is_disconnected_instead_of_blocking_the_publisher():
    hub = Hub()
    slow = Connection(maxsize=2, label="slow")
    fast = Connection(maxsize=100, label="fast")
    for connection in (slow, fast):
        hub.attach(connection)
        hub.subscribe(connection, "btcusdt@trade")
    for n in range(5):
        hub.publish("btcusdt@trade", {"n": n})
    assert slow.closed and slow.close_reason == "slow consumer"
    assert not fast.closed
    assert [fast.next(0)[1]["n"] for _ in range(5)] == [0, 1, 2, 3, 4]


def test_combined_stream_name_travels_with_the_message():
    hub = Hub()
    connection = Connection(maxsize=10)
    hub.subscribe(connection, "user:acct", "the-listen-key")
    hub.publish("user:acct", {"e": "executionReport"})
    assert connection.next(0) == ("the-listen-key", {"e": "executionReport"})
    hub.detach(connection)
    assert not hub.has_subscribers("user:acct")


def test_faults_apply_to_the_next_matching_requests_only():
    faults = FaultInjector()
    faults.add("binance", FaultKind.HTTP_5XX, 2, path="/binance/api/v3/order")
    assert faults.take("binance", "/binance/api/v3/time") == []
    assert faults.take("other", "/binance/api/v3/order") == []
    assert [f.kind for f in faults.take("binance", "/binance/api/v3/order")] == [FaultKind.HTTP_5XX]
    assert len(faults.take("binance", "/binance/api/v3/order")) == 1
    assert faults.take("binance", "/binance/api/v3/order") == []
    assert faults.pending() == []


class Refused(Exception):
    pass


def refusal(fault) -> Refused:
    return Refused(fault.kind.value)


def test_an_injected_error_is_raised_before_the_request_runs():
    faults = FaultInjector()
    faults.add("flowa", FaultKind.RATE_LIMIT_429, 1)
    with pytest.raises(Refused, match="rate_limit_429"):
        apply_faults(faults, "flowa", "/flowa/api/simple-order", refusal)
    assert apply_faults(faults, "flowa", "/flowa/api/simple-order", refusal) is None


def test_an_executing_fault_hands_its_error_back_to_answer_after_the_request_ran():
    faults = FaultInjector()
    faults.add("coinbase", FaultKind.HTTP_5XX, 1, execute=True)
    faults.add("coinbase", FaultKind.TIMEOUT_1007, 1)  # the first error wins; this one is used up silently
    deferred = apply_faults(faults, "coinbase", "/coinbase/api/v3/brokerage/orders", refusal)
    assert isinstance(deferred, Refused) and str(deferred) == "http_5xx"
    assert faults.pending() == []


def test_latency_and_websocket_drops_make_no_error():
    faults = FaultInjector()
    faults.add("binance", FaultKind.LATENCY, 1, latency_ms=1)
    faults.add("binance", FaultKind.DROP_WEBSOCKETS, 1)
    assert apply_faults(faults, "binance", "/binance/api/v3/time", refusal) is None


def test_a_session_attached_to_the_hub_is_detached_when_it_ends():
    hub = Hub()
    connection = Connection(maxsize=10)
    with pytest.raises(RuntimeError):
        with hub.attached(connection):
            hub.subscribe(connection, "btcusdt@trade")
            assert hub.connection_count() == 1 and hub.has_subscribers("btcusdt@trade")
            raise RuntimeError("client went away")
    assert hub.connection_count() == 0 and not hub.has_subscribers("btcusdt@trade")
