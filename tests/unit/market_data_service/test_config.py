from decimal import Decimal

from shared.settings import Settings

from market_data_service.config import feed_specs
from market_data_service.status import down_feeds


def settings(**environ) -> Settings:
    return Settings.from_env(environ, dotenv_path=None)


def test_defaults_run_every_feed_against_the_simulator():
    s = settings()
    assert [spec.name for spec in feed_specs(s)] == ["binance", "binance-futures", "coinbase-usdbrl", "hashdex", "inav"]
    assert s.market_data_port == 5002 and s.md_inav_threshold == Decimal("0.01")
    assert s.venues["binance-futures"].ws_url.endswith("/binance-futures")


def test_feeds_can_be_turned_off_and_tuned():
    s = settings(MD_BINANCE_SYMBOLS="none", MD_BINANCE_FUTURES_SYMBOLS="btcusdt", MD_STALE_AFTER="2",
                 MD_FX_POLL_INTERVAL="5", MD_REQUIRED_FEEDS="inav", MD_INAV_THRESHOLD="0.05")
    specs = {spec.name: spec for spec in feed_specs(s)}
    assert "binance" not in specs and s.md_binance_futures_symbols == ("BTCUSDT",)
    assert specs["binance-futures"].stale_after == 2 and specs["coinbase-usdbrl"].stale_after == 15
    assert [name for name, spec in specs.items() if spec.required] == ["inav"]
    assert s.md_inav_threshold == Decimal("0.05")


def test_health_counts_only_required_feeds_that_are_down():
    report = {"feeds": [{"name": "binance", "required": True, "state": "stale"},
                        {"name": "hashdex", "required": False, "state": "failed"},
                        {"name": "inav", "required": True, "state": "reconnecting"}]}
    assert down_feeds(report) == ["inav"]
    assert down_feeds(None) == ["supervisor"]
