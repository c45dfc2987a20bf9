from decimal import Decimal

import pytest

from exchange_simulator.binance.errors import BinanceError
from exchange_simulator.binance.params import Params
from exchange_simulator.engine import Side


def _code(call) -> int:
    with pytest.raises(BinanceError) as raised:
        call()
    return raised.value.code


def test_query_wins_over_body_and_signed_payload_is_query_then_body():
    params = Params.from_raw("symbol=BTCUSDT&timestamp=1", "symbol=ETHUSDT&quantity=1&signature=abc")
    assert params.required("symbol") == "BTCUSDT"
    assert params.decimal("quantity") == Decimal("1")
    assert params.signed_payload == "symbol=BTCUSDT&timestamp=1symbol=ETHUSDT&quantity=1"
    assert params.signature == "abc"


def test_duplicates_within_one_source_are_refused():
    assert _code(lambda: Params.from_raw("a=1&a=2", "")) == -1101


def test_typed_reads():
    params = Params.from_raw("q=1.5&bad=1e5&side=SELL&wrong=UP&n=12&empty=", "")
    assert params.decimal("q") == Decimal("1.5")
    assert _code(lambda: params.decimal("bad")) == -1100
    assert params.enum("side", Side, lambda: BinanceError(-1117, "Invalid side.")) is Side.SELL
    assert _code(lambda: params.enum("wrong", Side, lambda: BinanceError(-1117, "Invalid side."))) == -1117
    assert params.integer("n") == 12
    assert params.raw("empty") is None
    assert _code(lambda: params.required("empty")) == -1102
    assert _code(lambda: params.required("absent")) == -1102


def test_unread_parameters_are_counted_like_binance():
    params = Params.from_raw("symbol=X&extra=1&signature=s", "")
    params.required("symbol")
    with pytest.raises(BinanceError) as raised:
        params.ensure_all_read()
    assert raised.value.code == -1104
    assert raised.value.msg == "Not all sent parameters were read; read '2' parameter(s) but was sent '3'."
