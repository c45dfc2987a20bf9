"""Settings, read once per process from the environment and `.env`, then passed down.

Venue variables keep the seed's names. `ENV` selects a suffix: with ENV=DEV, `BINANCE_ENDPOINT_DEV`
wins over `BINANCE_ENDPOINT`. With ENV=SIM (the default) every venue points at the exchange simulator.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

SIMULATOR_ENV = "SIM"
DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8100"
SIM_BINANCE_KEY = "sim-binance-key"
SIM_BINANCE_SECRET = "sim-binance-secret"

# Public endpoints per ENV when the variables are not set (keys never have defaults outside SIM).
# (REST, market streams, WebSocket API). Spot user data now flows only through the WebSocket API.
_BINANCE_DEFAULTS = {
    "DEV": ("https://testnet.binance.vision/api", "wss://stream.testnet.binance.vision",
            "wss://ws-api.testnet.binance.vision/ws-api/v3"),
    "PROD": ("https://api.binance.com/api", "wss://stream.binance.com:9443", "wss://ws-api.binance.com:443/ws-api/v3"),
}


class Secret:
    """A credential: printing, logging or serialising it shows only asterisks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class VenueSettings:
    name: str
    rest_url: str
    ws_url: str | None
    api_key: Secret | None
    api_secret: Secret | None
    is_simulator: bool
    ws_api_url: str | None = None
    recv_window: int = 5000
    enabled: bool = True
    disabled_reason: str | None = None
    extras: Mapping[str, str | None] = field(default_factory=dict)  # venue-specific URLs, e.g. token_url

    def public(self) -> dict:
        """What may be shown to a user: no credential, only whether one is configured."""
        return {
            "name": self.name, "endpoint": self.rest_url, "ws_endpoint": self.ws_url, "ws_api_endpoint": self.ws_api_url,
            **{k: v for k, v in self.extras.items()},
            "simulator": self.is_simulator, "credentials_configured": bool(self.api_key and self.api_secret),
            "enabled": self.enabled, "disabled_reason": self.disabled_reason,
        }


@dataclass(frozen=True)
class Settings:
    env: str = SIMULATOR_ENV
    redis_url: str | None = None
    database_url: str | None = None
    bus_prefix: str = ""
    log_level: str = "INFO"
    log_json: bool = True
    var_dir: Path = Path("var")
    simulator_url: str = DEFAULT_SIMULATOR_URL
    order_service_url: str = "http://127.0.0.1:5000"
    order_service_port: int = 5000
    order_service_workers: int = 2
    order_service_threads: int = 8
    reconcile_interval: float = 5.0
    algo_service_port: int = 5001
    algo_service_url: str = "http://127.0.0.1:5001"
    algo_service_workers: int = 2
    algo_service_threads: int = 4
    algo_stop_timeout: float = 10.0    # seconds a stopping algo gets before it is killed
    algo_order_timeout: float = 10.0   # seconds an algo waits on one order service call
    algo_strategies: tuple[str, ...] = ()  # extra "name=module:Class" strategies, beside the entry points
    hashdex_url: str | None = None     # iNAV and portfolio composition of the B3 crypto ETFs
    usd_brl_url: str | None = None     # public USD/BRL rate (Coinbase exchange rates)
    venues: Mapping[str, VenueSettings] = field(default_factory=dict)
    # market data service
    market_data_port: int = 5002
    market_data_url: str = "http://127.0.0.1:5002"
    market_data_threads: int = 4
    md_binance_symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
    md_binance_futures_symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
    md_inav_etfs: tuple[str, ...] = ("BITH11", "ETHE11", "SOLH11")
    md_inav_price_source: str = "binance-futures"   # venue whose quote mid prices the ETFs' underlying
    md_inav_threshold: Decimal = Decimal("0.01")     # BRL change per share that publishes a new iNAV
    md_stale_after: float = 10.0                     # seconds of silence before a feed is stale
    md_fx_poll_interval: float = 1.0
    md_hashdex_poll_interval: float = 5.0
    md_pcf_refresh_interval: float = 300.0
    md_ws_max_connection_age: float = 86_000.0       # Binance closes a stream connection at 24 h
    md_required_feeds: tuple[str, ...] | None = None  # None: every enabled feed

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'orders.db').resolve()}"

    def secrets(self) -> list[str]:
        """Every credential value, so log redaction can mask them wherever they appear."""
        values = []
        for venue in self.venues.values():
            for secret in (venue.api_key, venue.api_secret):
                if secret:
                    values.append(secret.reveal())
        return values

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike | None = ".env",
                 **overrides) -> "Settings":
        """Build the settings from `.env` overlaid by the process environment (which wins)."""
        values: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        env = values.get("ENV", SIMULATOR_ENV).upper() or SIMULATOR_ENV
        lookup = _Lookup(values, env)
        simulator_url = lookup("SIM_URL", DEFAULT_SIMULATOR_URL).rstrip("/")
        port = int(lookup("ORDER_SERVICE_PORT", "5000"))
        settings = cls(
            env=env,
            redis_url=lookup("REDIS_URL") or None,
            database_url=lookup("DATABASE_URL") or None,
            bus_prefix=lookup("BUS_PREFIX", ""),
            log_level=lookup("LOG_LEVEL", "INFO").upper(),
            log_json=lookup("LOG_FORMAT", "json").lower() == "json",
            var_dir=Path(lookup("VAR_DIR", "var")),
            simulator_url=simulator_url,
            order_service_url=lookup("ORDER_SERVICE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            order_service_port=port,
            order_service_workers=int(lookup("ORDER_SERVICE_WORKERS", "2")),
            order_service_threads=int(lookup("ORDER_SERVICE_THREADS", "8")),
            reconcile_interval=float(lookup("RECONCILE_INTERVAL", "5")),
            algo_service_port=int(lookup("ALGO_SERVICE_PORT", "5001")),
            algo_service_url=lookup("ALGO_SERVICE_URL",
                                    f"http://127.0.0.1:{lookup('ALGO_SERVICE_PORT', '5001')}").rstrip("/"),
            algo_service_workers=int(lookup("ALGO_SERVICE_WORKERS", "2")),
            algo_service_threads=int(lookup("ALGO_SERVICE_THREADS", "4")),
            algo_stop_timeout=float(lookup("ALGO_STOP_TIMEOUT", "10")),
            algo_order_timeout=float(lookup("ALGO_ORDER_TIMEOUT", "10")),
            algo_strategies=tuple(p.strip() for p in (lookup("ALGO_STRATEGIES", "") or "").split(",") if p.strip()),
            hashdex_url=(lookup("HASHDEX_MD_ENDPOINT", f"{simulator_url}/hashdex" if env == SIMULATOR_ENV else None)
                         or "").rstrip("/") or None,
            usd_brl_url=lookup("COINBASE_DOLLAR_ENDPOINT",
                               f"{simulator_url}/coinbase/v2/exchange-rates?currency=USD" if env == SIMULATOR_ENV
                               else "https://api.coinbase.com/v2/exchange-rates?currency=USD"),
            venues={spec.name: _venue(lookup, env, simulator_url, spec) for spec in VENUE_VARIABLES},
            **_market_data(lookup),
        )
        if overrides:
            settings = _replace(settings, overrides)
        return settings


def _symbols(raw: str | None) -> tuple[str, ...]:
    """A comma-separated list of symbols; `none` for an empty one (which turns the feed off)."""
    if (raw or "").strip().lower() == "none":
        return ()
    return tuple(part.strip().upper() for part in (raw or "").split(",") if part.strip())


def _market_data(lookup: "_Lookup") -> dict:
    """The market data service's variables (MARKET_DATA_*, MD_*)."""
    port = int(lookup("MARKET_DATA_PORT", "5002"))
    defaults = Settings()
    required = lookup("MD_REQUIRED_FEEDS")
    return {
        "market_data_port": port,
        "market_data_url": lookup("MARKET_DATA_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        "market_data_threads": int(lookup("MARKET_DATA_THREADS", "4")),
        "md_binance_symbols": _symbols(lookup("MD_BINANCE_SYMBOLS", ",".join(defaults.md_binance_symbols))),
        "md_binance_futures_symbols": _symbols(lookup("MD_BINANCE_FUTURES_SYMBOLS",
                                                      ",".join(defaults.md_binance_futures_symbols))),
        "md_inav_etfs": _symbols(lookup("MD_INAV_ETFS", ",".join(defaults.md_inav_etfs))),
        "md_inav_price_source": lookup("MD_INAV_PRICE_SOURCE", defaults.md_inav_price_source).lower(),
        "md_inav_threshold": Decimal(lookup("MD_INAV_THRESHOLD", "0.01")),
        "md_stale_after": float(lookup("MD_STALE_AFTER", "10")),
        "md_fx_poll_interval": float(lookup("MD_FX_POLL_INTERVAL", "1")),
        "md_hashdex_poll_interval": float(lookup("MD_HASHDEX_POLL_INTERVAL", "5")),
        "md_pcf_refresh_interval": float(lookup("MD_PCF_REFRESH_INTERVAL", "300")),
        "md_ws_max_connection_age": float(lookup("MD_WS_MAX_CONNECTION_AGE", "86000")),
        "md_required_feeds": tuple(p.strip() for p in required.split(",") if p.strip()) if required else None,
    }


def _replace(settings: Settings, overrides: dict) -> Settings:
    from dataclasses import replace

    return replace(settings, **overrides)


class _Lookup:
    """`NAME_{ENV}` first, then `NAME`, then the default."""

    def __init__(self, values: Mapping[str, str], env: str) -> None:
        self._values = values
        self._env = env

    def __call__(self, name: str, default: str | None = None) -> str | None:
        for key in (f"{name}_{self._env}", name):
            value = self._values.get(key)
            if value not in (None, ""):
                return value
        return default


@dataclass(frozen=True)
class _VenueVariables:
    """How one venue's settings are named and what they default to."""

    name: str
    prefix: str                      # BINANCE -> BINANCE_ENDPOINT, BINANCE_API_KEY, ...
    sim_rest: str                    # path of the venue's dialect on the simulator
    sim_ws: str | None = None
    sim_ws_api: str | None = None
    sim_credentials: tuple[str, str] = ("", "")
    live: Mapping[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)  # ENV -> urls
    key_var: str = "API_KEY"
    secret_var: str = "API_SECRET"
    extras: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)  # name -> (variable, sim path)


SIM_FLOWA_CLIENT_ID = "sim-flowa-client"
SIM_FLOWA_SECRET = "sim-flowa-secret"
SIM_COINBASE_KEY_NAME = "organizations/sim/apiKeys/sim-coinbase-key"
# The simulated Coinbase account's EC key; the simulator verifies request JWTs with its public half.
SIM_COINBASE_PRIVATE_KEY = """-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGzLG4OyXuWo70wG7ttUSLkCYGV96RtWBgYzf/o5McbOoAoGCCqGSM49
AwEHoUQDQgAEqWE7iQUdnoF0350e+n78HqPLOW9XffpofEEkW15U8ZcEK0nukBJJ
OXjJKrDIkiiKWRlsczhcDl+T6kCC1pz/vA==
-----END EC PRIVATE KEY-----
"""

VENUE_VARIABLES = (
    _VenueVariables(
        "binance", "BINANCE", "/binance/api", "/binance", None, (SIM_BINANCE_KEY, SIM_BINANCE_SECRET),
        {"DEV": _BINANCE_DEFAULTS["DEV"], "PROD": _BINANCE_DEFAULTS["PROD"]}),
    _VenueVariables(
        "binance-futures", "BINANCE_FUTURES", "/binance-futures/fapi", "/binance-futures", None,
        (SIM_BINANCE_KEY, SIM_BINANCE_SECRET),
        {"DEV": ("https://testnet.binancefuture.com/fapi", "wss://fstream.binancefuture.com", None),
         "PROD": ("https://fapi.binance.com/fapi", "wss://fstream.binance.com", None)}),
    _VenueVariables(
        "b3", "FLOWA", "/flowa", "/flowa/ws", None, (SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET),
        key_var="CLIENT_ID", secret_var="API_SECRET",
        extras={"token_url": ("TOKEN_ENDPOINT", "/flowa/connect/token")}),
    _VenueVariables(
        "coinbase", "COINBASE", "/coinbase", None, None, (SIM_COINBASE_KEY_NAME, SIM_COINBASE_PRIVATE_KEY),
        {"DEV": ("https://api.coinbase.com", None, None), "PROD": ("https://api.coinbase.com", None, None)},
        key_var="API_KEY_NAME", secret_var="API_PRIVATE_KEY"),
)


def _venue(lookup: _Lookup, env: str, simulator_url: str, spec: _VenueVariables) -> VenueSettings:
    is_sim = env == SIMULATOR_ENV
    ws_base = simulator_url.replace("http", "ws", 1)
    if is_sim:
        rest_default = simulator_url + spec.sim_rest
        ws_default = ws_base + spec.sim_ws if spec.sim_ws else None
        ws_api_default = ws_base + spec.sim_ws_api if spec.sim_ws_api else None
        key_default, secret_default = spec.sim_credentials
    else:
        rest_default, ws_default, ws_api_default = spec.live.get(env, spec.live.get("DEV", (None, None, None)))
        key_default = secret_default = None
    rest_url = (lookup(f"{spec.prefix}_ENDPOINT", rest_default) or "").rstrip("/")
    key = lookup(f"{spec.prefix}_{spec.key_var}", key_default)
    secret = lookup(f"{spec.prefix}_{spec.secret_var}", secret_default)
    extras = {}
    for name, (variable, sim_path) in spec.extras.items():
        value = lookup(f"{spec.prefix}_{variable}", simulator_url + sim_path if is_sim and sim_path else None)
        extras[name] = value.rstrip("/") if value else None
    needed = [(f"{spec.prefix}_ENDPOINT", rest_url), (f"{spec.prefix}_{spec.key_var}", key),
              (f"{spec.prefix}_{spec.secret_var}", secret)]
    needed += [(f"{spec.prefix}_{variable}", extras[name]) for name, (variable, _) in spec.extras.items()]
    missing = [variable for variable, value in needed if not value]
    return VenueSettings(
        name=spec.name,
        rest_url=rest_url,
        ws_url=(lookup(f"{spec.prefix}_WS_ENDPOINT", ws_default) or "").rstrip("/") or None,
        ws_api_url=(lookup(f"{spec.prefix}_WS_API_ENDPOINT", ws_api_default) or "").rstrip("/") or None,
        api_key=Secret(key) if key else None,
        api_secret=Secret(secret) if secret else None,
        is_simulator=bool(rest_url) and rest_url.startswith(simulator_url),
        recv_window=int(lookup(f"{spec.prefix}_RECV_WINDOW", "5000")),
        enabled=not missing,
        disabled_reason=f"set {' and '.join(f'{n}_{env}' for n in missing)}" if missing else None,
        extras=extras,
    )
