from decimal import Decimal

from exchange_simulator.binance.serialise import fmt
from exchange_simulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config


def test_numbers_are_binance_eight_decimal_strings():
    assert fmt(Decimal("0.01")) == "0.01000000"
    assert fmt(Decimal("65000")) == "65000.00000000"
    assert fmt(Decimal("1E+1")) == "10.00000000"
    assert fmt(None) == "0.00000000"


def test_config_defaults_arguments_and_environment():
    default = load_config([], {})
    assert (default.host, default.port, default.seed, default.step_interval) == ("127.0.0.1", 8100, 42, 0.25)
    account = default.accounts[0]
    assert (account.api_key, account.api_secret) == (DEFAULT_API_KEY, DEFAULT_API_SECRET)
    assert account.balances["USDT"] == Decimal("100000")

    env = {"SIM_PORT": "9000", "SIM_SEED": "7", "SIM_BINANCE_API_KEY": "k", "SIM_BINANCE_API_SECRET": "s"}
    from_env = load_config([], env)
    assert (from_env.port, from_env.seed) == (9000, 7)
    assert (from_env.accounts[0].api_key, from_env.accounts[0].api_secret) == ("k", "s")
    assert load_config(["--port", "0", "--seed", "3"], env).port == 0
    assert from_env.account_for_key("k") is from_env.accounts[0]
    assert from_env.account_for_key("nope") is None
