"""Simulator settings, built once at start-up and passed down."""
from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_API_KEY = "sim-binance-key"
DEFAULT_API_SECRET = "sim-binance-secret"
DEFAULT_ACCOUNT = "binance-dev"


def _default_balances() -> dict[str, Decimal]:
    return {
        "USDT": Decimal("100000"),
        "BTC": Decimal("10"),
        "ETH": Decimal("100"),
        "SOL": Decimal("1000"),
    }


@dataclass(frozen=True)
class AccountConfig:
    """One simulated trading account and the credentials that reach it."""

    account_id: str
    api_key: str
    api_secret: str
    balances: Mapping[str, Decimal] = field(default_factory=_default_balances)
    venue: str = "binance"


def _default_accounts() -> tuple[AccountConfig, ...]:
    return (AccountConfig(DEFAULT_ACCOUNT, DEFAULT_API_KEY, DEFAULT_API_SECRET),) + _other_venue_accounts(
        DEFAULT_API_KEY, DEFAULT_API_SECRET)


def _other_venue_accounts(binance_key: str, binance_secret: str) -> tuple[AccountConfig, ...]:
    """The dev accounts of the other venues; the USD-M futures account shares the Binance key pair."""
    from exchange_simulator.coinbase.keys import public_key_pem
    from shared.settings import SIM_COINBASE_KEY_NAME, SIM_COINBASE_PRIVATE_KEY
    from shared.settings import SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET

    return (
        AccountConfig("binance-futures-dev", binance_key, binance_secret, {"USDT": Decimal("100000")},
                      venue="binance-futures"),
        # Coinbase keeps only the public half of an API key: the simulator verifies JWTs with it.
        AccountConfig("coinbase-dev", SIM_COINBASE_KEY_NAME, public_key_pem(SIM_COINBASE_PRIVATE_KEY),
                      {"USD": Decimal("100000"), "BTC": Decimal("10"), "ETH": Decimal("100"),
                       "SOL": Decimal("1000")}, venue="coinbase"),
        # B3 through Flowa: BRL cash plus shares of every listed instrument, so sells work from the start.
        AccountConfig("b3-dev", SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET,
                      {"BRL": Decimal("10000000"), **{s: Decimal("100000") for s in (
                          "BITH11", "ETHE11", "SOLH11", "BOVA11", "PETR4", "VALE3")}}, venue="b3"),
    )


@dataclass(frozen=True)
class BinanceLimits:
    """Binance spot rate limits; tests lower them to exercise 429s quickly."""

    request_weight_per_minute: int = 6000
    orders_per_10s: int = 100
    orders_per_day: int = 200000


@dataclass(frozen=True)
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8100
    seed: int = 42
    markets_file: str | None = None
    # Seconds between synthetic market steps; 0 or less disables the background stepping.
    step_interval: float = 0.25
    ws_ping_interval: float = 20.0
    # Messages buffered per websocket client before it is judged too slow and disconnected.
    ws_queue_size: int = 10000
    listen_key_ttl_seconds: float = 3600.0
    accounts: tuple[AccountConfig, ...] = field(default_factory=_default_accounts)
    binance_limits: BinanceLimits = field(default_factory=BinanceLimits)
    # B3 trading hours: off by default so demos and tests trade at any hour.
    flowa_enforce_hours: bool = False

    def account_for_key(self, api_key: str, venue: str = "binance") -> AccountConfig | None:
        return next((a for a in self.accounts if a.api_key == api_key and a.venue == venue), None)

    def accounts_of(self, venue: str) -> tuple[AccountConfig, ...]:
        return tuple(a for a in self.accounts if a.venue == venue)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m exchange_simulator",
        description="Offline exchange speaking the Binance spot REST and websocket protocols.",
    )
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1, env SIM_HOST)")
    parser.add_argument("--port", type=int, help="port to bind, 0 for any free port (default 8100, env SIM_PORT)")
    parser.add_argument("--seed", type=int, help="random seed of the synthetic markets (default 42, env SIM_SEED)")
    parser.add_argument("--markets", help="markets JSON file (default: the bundled one, env SIM_MARKETS)")
    parser.add_argument(
        "--step-interval", type=float,
        help="seconds between synthetic market steps, 0 disables them (default 0.25, env SIM_STEP_INTERVAL)",
    )
    return parser


def load_config(argv: Sequence[str] | None, environ: Mapping[str, str]) -> SimulatorConfig:
    """Build the settings from command-line arguments, falling back to the environment, then defaults."""
    args = _parser().parse_args(argv)
    defaults = SimulatorConfig()

    def pick(arg_value, env_name: str, default, cast):
        if arg_value is not None:
            return arg_value
        raw = environ.get(env_name)
        return cast(raw) if raw not in (None, "") else default

    account = AccountConfig(
        account_id=environ.get("SIM_BINANCE_ACCOUNT", DEFAULT_ACCOUNT),
        api_key=environ.get("SIM_BINANCE_API_KEY") or DEFAULT_API_KEY,
        api_secret=environ.get("SIM_BINANCE_API_SECRET") or DEFAULT_API_SECRET,
    )
    return SimulatorConfig(
        host=pick(args.host, "SIM_HOST", defaults.host, str),
        port=pick(args.port, "SIM_PORT", defaults.port, int),
        seed=pick(args.seed, "SIM_SEED", defaults.seed, int),
        markets_file=pick(args.markets, "SIM_MARKETS", defaults.markets_file, str),
        step_interval=pick(args.step_interval, "SIM_STEP_INTERVAL", defaults.step_interval, float),
        accounts=(account,) + _other_venue_accounts(account.api_key, account.api_secret),
        binance_limits=BinanceLimits(
            request_weight_per_minute=pick(None, "SIM_BINANCE_WEIGHT_PER_MINUTE",
                                           defaults.binance_limits.request_weight_per_minute, int),
            orders_per_10s=pick(None, "SIM_BINANCE_ORDERS_PER_10S", defaults.binance_limits.orders_per_10s, int),
            orders_per_day=pick(None, "SIM_BINANCE_ORDERS_PER_DAY", defaults.binance_limits.orders_per_day, int),
        ),
        flowa_enforce_hours=pick(None, "SIM_FLOWA_ENFORCE_HOURS", False, lambda raw: raw.lower() in ("1", "true", "yes")),
    )
