from __future__ import annotations

import io
import json
import logging

from shared.logs import configure_logging
from shared.settings import Settings


def test_sim_is_the_default_and_points_every_venue_at_the_simulator():
    settings = Settings.from_env({}, dotenv_path=None)
    binance = settings.venues["binance"]
    assert settings.env == "SIM"
    assert binance.rest_url == "http://127.0.0.1:8100/binance/api"
    assert binance.ws_url == "ws://127.0.0.1:8100/binance"
    assert binance.is_simulator and binance.enabled


def test_env_selects_the_seed_variable_names():
    settings = Settings.from_env({"ENV": "DEV", "BINANCE_ENDPOINT_DEV": "https://testnet.binance.vision/api",
                                  "BINANCE_API_KEY_DEV": "k" * 64, "BINANCE_API_SECRET_DEV": "s" * 64,
                                  "BINANCE_API_KEY": "ignored"}, dotenv_path=None)
    binance = settings.venues["binance"]
    assert binance.rest_url == "https://testnet.binance.vision/api"
    assert binance.api_key.reveal() == "k" * 64
    assert not binance.is_simulator


def test_a_venue_without_credentials_is_disabled_with_the_variable_to_set():
    binance = Settings.from_env({"ENV": "PROD"}, dotenv_path=None).venues["binance"]
    assert not binance.enabled
    assert "BINANCE_API_KEY_PROD" in binance.disabled_reason


def test_dotenv_is_read_and_the_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("BUS_PREFIX=fromfile:\nORDER_SERVICE_PORT=6000\n")
    settings = Settings.from_env({"ORDER_SERVICE_PORT": "7000"}, dotenv_path=dotenv)
    assert (settings.bus_prefix, settings.order_service_port) == ("fromfile:", 7000)


def test_secrets_never_show_in_reprs_public_views_or_logs():
    settings = Settings.from_env({"ENV": "DEV", "BINANCE_API_KEY_DEV": "key-abcdef123",
                                  "BINANCE_API_SECRET_DEV": "secret-zyx987"}, dotenv_path=None)
    binance = settings.venues["binance"]
    assert "secret-zyx987" not in repr(settings)
    assert "secret-zyx987" not in json.dumps(binance.public())
    stream = io.StringIO()
    configure_logging("test", secrets=settings.secrets(), stream=stream)
    log = logging.getLogger("test.secrets")
    log.warning("signing with %s for key %s", "secret-zyx987", "key-abcdef123",
                extra={"url": "/v3/order?symbol=BTCUSDT&signature=0a1b2c3d"})
    try:
        raise RuntimeError("auth failed for secret-zyx987")
    except RuntimeError:
        log.exception("request failed")
    output = stream.getvalue()
    assert "secret-zyx987" not in output and "key-abcdef123" not in output and "0a1b2c3d" not in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert lines[0]["message"] == "signing with *** for key ***"
    logging.getLogger().handlers.clear()
