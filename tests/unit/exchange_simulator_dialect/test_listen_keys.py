import pytest

from exchange_simulator.binance.errors import BinanceError
from exchange_simulator.binance.listen_keys import ListenKeys


def test_keys_expire_without_keepalive_and_live_on_with_it():
    now = [0]
    keys = ListenKeys(ttl_seconds=60, clock=lambda: now[0])
    key = keys.create("acct")
    assert keys.account_of(key) == "acct"
    now[0] = 50_000
    keys.keepalive(key, "acct")
    now[0] = 100_000
    assert keys.account_of(key) == "acct"
    now[0] = 111_000
    assert keys.account_of(key) is None
    with pytest.raises(BinanceError) as raised:
        keys.keepalive(key, "acct")
    assert raised.value.code == -1125
    assert keys.create("acct") != key


def test_keys_belong_to_their_account():
    keys = ListenKeys(ttl_seconds=60, clock=lambda: 0)
    key = keys.create("a")
    with pytest.raises(BinanceError):
        keys.close(key, "b")
    keys.close(key, "a")
    assert keys.account_of(key) is None
