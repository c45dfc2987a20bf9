"""Settings, read once per process from the environment and `.env`, then passed down.

Venue variables keep the seed's names. `ENV` selects a suffix: with ENV=DEV, `BINANCE_ENDPOINT_DEV`
wins over `BINANCE_ENDPOINT`. With ENV=SIM (the default) every venue points at the exchange simulator.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
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

    def public(self) -> dict:
        """What may be shown to a user: no credential, only whether one is configured."""
        return {
            "name": self.name, "endpoint": self.rest_url, "ws_endpoint": self.ws_url, "ws_api_endpoint": self.ws_api_url,
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
    venues: Mapping[str, VenueSettings] = field(default_factory=dict)

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
            venues={"binance": _binance(lookup, env, simulator_url)},
        )
        if overrides:
            settings = _replace(settings, overrides)
        return settings


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


def _binance(lookup: _Lookup, env: str, simulator_url: str) -> VenueSettings:
    is_sim = env == SIMULATOR_ENV
    if is_sim:
        rest_default = f"{simulator_url}/binance/api"
        ws_default = simulator_url.replace("http", "ws", 1) + "/binance"
        ws_api_default = None
        key_default, secret_default = SIM_BINANCE_KEY, SIM_BINANCE_SECRET
    else:
        rest_default, ws_default, ws_api_default = _BINANCE_DEFAULTS.get(env, _BINANCE_DEFAULTS["DEV"])
        key_default = secret_default = None
    rest_url = lookup("BINANCE_ENDPOINT", rest_default).rstrip("/")
    key = lookup("BINANCE_API_KEY", key_default)
    secret = lookup("BINANCE_API_SECRET", secret_default)
    missing = [n for n, v in (("BINANCE_API_KEY", key), ("BINANCE_API_SECRET", secret)) if not v]
    return VenueSettings(
        name="binance",
        rest_url=rest_url,
        ws_url=lookup("BINANCE_WS_ENDPOINT", ws_default).rstrip("/"),
        ws_api_url=(lookup("BINANCE_WS_API_ENDPOINT", ws_api_default) or "").rstrip("/") or None,
        api_key=Secret(key) if key else None,
        api_secret=Secret(secret) if secret else None,
        is_simulator=rest_url.startswith(simulator_url),
        recv_window=int(lookup("BINANCE_RECV_WINDOW", "5000")),
        enabled=not missing,
        disabled_reason=f"set {' and '.join(f'{n}_{env}' for n in missing)}" if missing else None,
    )
