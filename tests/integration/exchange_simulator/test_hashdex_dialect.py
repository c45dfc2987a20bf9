"""The simulator's Hashdex dialect: iNAV and PCF of the B3 crypto ETFs, computed from the simulated world."""
from __future__ import annotations

from decimal import Decimal

import pytest
import requests


def get(sim, path: str) -> requests.Response:
    return requests.get(sim.base_url + "/hashdex" + path, timeout=10)


def btc_mid(sim) -> Decimal:
    world = sim.simulator.world
    return world.mid("binance-futures", "BTCUSDT") or world.mid("binance", "BTCUSDT")


def test_inav_is_underlying_times_price_times_usd_brl(sim):
    body = get(sim, "/inav/BITH11").json()
    assert (body["ticker"], body["currency"]) == ("BITH11", "BRL")
    assert isinstance(body["inavPerShare"], str)
    expected = Decimal("0.00009460") * btc_mid(sim) * sim.simulator.world.usd_brl()
    assert Decimal(body["inavPerShare"]) == pytest.approx(expected, abs=Decimal("1e-8"))


def test_inav_moves_with_the_crypto_price_and_the_dollar(sim):
    before = Decimal(get(sim, "/inav/BITH11").json()["inavPerShare"])
    assert sim.admin("POST", "/admin/fx/USDBRL", {"rate": "6.0000"}).status_code == 200
    venue = "binance-futures" if "binance-futures" in sim.simulator.world.venues else "binance"
    assert sim.admin("POST", "/admin/markets/BTCUSDT/mid", {"venue": venue, "price": "70000"}).status_code == 200
    after = Decimal(get(sim, "/inav/HBTC.BH").json()["inavPerShare"])
    assert after != before
    assert after == pytest.approx(Decimal("0.00009460") * btc_mid(sim) * Decimal("6"), abs=Decimal("1e-8"))


def test_pcf_lists_the_underlying_per_share_and_cash(sim):
    body = get(sim, "/pcf/ETHE11").json()
    holdings = {row["symbol"]: Decimal(row["quantity"]) for row in body["pcf"]}
    assert holdings == {"ETH": Decimal("0.00242"), "Cash": Decimal(0)}
    offshore = get(sim, "/pcf/HSOL.BH").json()
    assert offshore["pcf"][0] == {"symbol": "SOL", "quantity": "0.04910000"}


@pytest.mark.parametrize("path", ["/inav/PETR4", "/pcf/NOPE11"])
def test_unknown_ticker_is_a_json_404(sim, path):
    response = get(sim, path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_injected_fault_answers_503(sim):
    assert sim.admin("POST", "/admin/faults", {"venue": "hashdex", "kind": "http_5xx", "count": 1}).status_code in (
        200, 201)
    assert get(sim, "/inav/BITH11").status_code == 503
    assert get(sim, "/inav/BITH11").status_code == 200
