from exchange_simulator.fanout import Connection, Hub
from exchange_simulator.faults import FaultInjector, FaultKind


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
