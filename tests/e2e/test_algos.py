"""Algos end to end on the simulator: spread-crypto-etf quotes, amends, hedges and stops; crashes are
contained; a restart of the supervisor neither loses nor duplicates an algo."""
from __future__ import annotations

import os
import signal
import time
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path


from tests.e2e.algo_support import B3_ACCOUNT, algos  # noqa: F401  (fixture)

UNDERLYING_PER_SHARE = Decimal("0.00009460")  # BITH11's PCF in the simulator
BTC_STEP = Decimal("0.001")


def spread_params(**overrides) -> dict:
    return {**B3_ACCOUNT, "symbol": "BITH11", "side": "BUY", "quantity": "90", "max_clip": "30",
            "spread_threshold": "0.01", "reprice_threshold": "0.0015", **overrides}


def b3_orders(algos, algo_id):
    return [o for o in algos.algo_orders(algo_id) if o["venue"] == "b3"]


def hedges(algos, algo_id):
    return [o for o in algos.algo_orders(algo_id) if o["venue"] == "binance-futures"]


def working(orders):
    return [o for o in orders if o["status"] in ("NEW", "PARTIALLY_FILLED", "PENDING_NEW")]


def btc_mid(running) -> Decimal:
    rows = running.admin("GET", "/admin/markets?venue=binance").json()["markets"]
    return Decimal(next(r["mid"] for r in rows if r["symbol"] == "BTCUSDT"))


def move_btc(running, factor: str) -> None:
    price = (btc_mid(running) * Decimal(factor)).quantize(Decimal("0.01"))
    running.admin("POST", "/admin/markets/BTCUSDT/mid", venue="binance", price=str(price))


def hedge_for(shares: int) -> Decimal:
    return (Decimal(shares) * UNDERLYING_PER_SHARE / BTC_STEP).to_integral_value(ROUND_FLOOR) * BTC_STEP


def test_spread_crypto_etf_quotes_amends_hedges_each_fill_and_cancels_on_stop(running, algos):
    response = algos.deploy("spread-crypto-etf", spread_params())
    assert response.status_code == 201, response.text
    algo_id = response.json()["id"]
    orders = algos.wait_orders(algo_id, lambda os_: len(working(os_)) == 1)
    quote = working(orders)[0]
    assert (quote["side"], quote["type"], quote["quantity"]) == ("BUY", "LIMIT", "30")
    assert algos.get(algo_id)["status"] == "RUNNING"

    # The iNAV follows bitcoin: the resting order is amended in place to the new implied price.
    move_btc(running, "1.01")
    amended = running.wait_for(quote["id"], lambda o: Decimal(o["price"]) > Decimal(quote["price"]))
    assert Decimal(amended["price"]) > Decimal(quote["price"])
    assert any(e["type"] == "order.amended" for e in running.events(quote["id"], until="order.amended"))

    # The B3 book trades through the first clip: one futures hedge for 30 shares follows.
    running.admin("POST", "/admin/markets/BITH11/mid", venue="b3", price=amended["price"])
    algos.wait_orders(algo_id, lambda os_: len(hedges(algos, algo_id)) >= 1 and len(working(b3_orders(algos, algo_id))) == 1)
    hedge = hedges(algos, algo_id)
    assert len(hedge) == 1
    assert (hedge[0]["side"], hedge[0]["type"], Decimal(hedge[0]["quantity"])) == ("SELL", "MARKET", hedge_for(30))

    # The second clip fills: the hedge owed is for 60 shares in total, the earlier remainder carried.
    second_quote = working(b3_orders(algos, algo_id))[0]
    running.admin("POST", "/admin/markets/BITH11/mid", venue="b3", price=second_quote["price"])
    algos.wait_orders(algo_id, lambda os_: len(hedges(algos, algo_id)) >= 2)
    hedge = hedges(algos, algo_id)
    assert sorted(Decimal(h["quantity"]) for h in hedge) == sorted([hedge_for(30), hedge_for(60) - hedge_for(30)])
    assert sum(Decimal(h["quantity"]) for h in hedge) == hedge_for(60)
    algo = algos.wait(algo_id, lambda a: a["fills"] >= 4)
    assert Decimal(algo["position"]["b3:BITH11"]) == 60
    assert Decimal(algo["position"]["binance-futures:BTCUSDT"]) == -hedge_for(60)

    # Stop: the third clip's resting order is canceled and the algo ends STOPPED.
    third = algos.wait_orders(algo_id, lambda os_: len(working(b3_orders(algos, algo_id))) == 1)
    resting = working([o for o in third if o["venue"] == "b3"])[0]
    assert algos.stop(algo_id).status_code == 202
    stopped = algos.wait(algo_id, lambda a: a["status"] == "STOPPED")
    assert stopped["status"] == "STOPPED" and stopped["exit_code"] == 0
    assert running.order(resting["id"])["status"] == "CANCELED"
    assert any("canceled" in line for line in algos.logs(algo_id))


def test_bad_input_is_refused_before_any_process_starts(algos):
    catalog = algos.http.get(f"{algos.api}/api/v1/strategies").json()["strategies"]
    assert {"spread-crypto-etf", "twap"} <= {s["name"] for s in catalog}
    assert all(s["params_schema"]["properties"] for s in catalog)

    unknown = algos.deploy("no-such-strategy", {})
    assert unknown.status_code == 404
    assert "spread-crypto-etf" in unknown.json()["detail"]

    bad = algos.deploy("spread-crypto-etf", spread_params(quantity="-5"))
    assert bad.status_code == 422 and bad.json()["field"] == "params.quantity"
    assert algos.http.get(f"{algos.api}/api/v1/algos", params={"strategy": "no-such-strategy"}).json()["algos"] == []


def test_a_strategy_that_raises_is_failed_with_its_traceback(algos):
    algo_id = algos.deploy("twap", {"venue": "binance", "symbol": "NOPEUSDT", "side": "BUY", "quantity": "1",
                                    "duration": "1", "slices": 1}).json()["id"]
    failed = algos.wait(algo_id, lambda a: a["status"] == "FAILED")
    assert failed["status"] == "FAILED" and failed["exit_code"] == 1
    assert "NOPEUSDT" in failed["last_error"]
    assert any("Traceback" in line for line in algos.logs(algo_id))


def _runner_pids(algo_id: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"algo_service.runner" in cmdline and algo_id.encode() in cmdline:
                pids.append(int(proc.name))
    return pids


def test_ten_algos_one_killed_the_rest_trade_on_and_survive_a_supervisor_restart(running, algos):
    ids = [algos.deploy("spread-crypto-etf", spread_params(quantity="10", max_clip=None, spread_threshold="0.05"))
           .json()["id"] for _ in range(10)]
    for algo_id in ids:
        assert algos.wait(algo_id, lambda a: a["status"] == "RUNNING", timeout=40)["status"] == "RUNNING"
    quotes = {i: algos.wait_orders(i, lambda os_: len(working(os_)) == 1)[0] for i in ids}

    victim, survivors = ids[0], ids[1:]
    os.kill(algos.get(victim)["pid"], signal.SIGKILL)
    failed = algos.wait(victim, lambda a: a["status"] == "FAILED", timeout=5)
    assert failed["status"] == "FAILED" and "SIGKILL" in failed["last_error"]
    assert running.wait_for(quotes[victim]["id"], lambda o: o["status"] == "CANCELED")["status"] == "CANCELED"
    assert all(algos.get(i)["status"] == "RUNNING" for i in survivors)

    # The nine still trade: bitcoin moves and each one amends its order.
    move_btc(running, "1.02")
    for algo_id in survivors:
        moved = running.wait_for(quotes[algo_id]["id"], lambda o: o["price"] != quotes[algo_id]["price"])
        assert moved["price"] != quotes[algo_id]["price"] and moved["status"] == "NEW"

    # Restart the supervisor: the same processes are found again, none started twice, and still controllable.
    pids = {i: algos.get(i)["pid"] for i in survivors}
    algos.restart_supervisor()
    time.sleep(1.0)
    for algo_id in survivors:
        assert algos.get(algo_id)["status"] == "RUNNING"
        assert _runner_pids(algo_id) == [pids[algo_id]]
    assert algos.stop(survivors[0]).status_code == 202
    assert algos.wait(survivors[0], lambda a: a["status"] == "STOPPED")["status"] == "STOPPED"
    os.kill(pids[survivors[1]], signal.SIGKILL)
    assert algos.wait(survivors[1], lambda a: a["status"] == "FAILED", timeout=5)["status"] == "FAILED"
    for algo_id in survivors[2:]:
        algos.stop(algo_id)
    for algo_id in survivors[2:]:
        assert algos.wait(algo_id, lambda a: a["status"] == "STOPPED")["status"] == "STOPPED"


def test_the_algo_command_talks_to_the_running_service(running, algos):
    import json
    import subprocess
    import sys

    env = {**os.environ, "ALGO_SERVICE_URL": running.algo_api}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "trading_system.cli", "algo", *args], env=env,
                              capture_output=True, text=True, timeout=60)

    catalog = cli("strategies")
    assert catalog.returncode == 0, catalog.stderr
    assert {"spread-crypto-etf", "twap"} <= {s["name"] for s in json.loads(catalog.stdout)["strategies"]}
    deployed = cli("deploy", "twap", "--param", "venue=binance", "--param", "symbol=BTCUSDT", "--param", "side=BUY",
                   "--param", "quantity=0.002", "--param", "duration=1", "--param", "slices=2")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    algo_id = json.loads(deployed.stdout)["id"]
    assert algos.wait(algo_id, lambda a: a["status"] == "FINISHED")["status"] == "FINISHED"
    assert algo_id in {a["id"] for a in json.loads(cli("list", "--strategy", "twap").stdout)["algos"]}
    missing = cli("show", "algo-nope")
    assert missing.returncode == 1 and json.loads(missing.stdout)["status"] == 404
