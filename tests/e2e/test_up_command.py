"""`trading-system up` as a user runs it: embedded Redis, everything healthy, a clean stop on SIGTERM that
takes the algos with it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from shared.embedded_redis import free_port


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


def test_up_starts_everything_on_embedded_defaults_and_stops_cleanly(tmp_path):
    api_port, sim_port, md_port, algo_port = free_port(), free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "ENV")}
    env.update({"VAR_DIR": str(tmp_path / "var"), "ORDER_SERVICE_PORT": str(api_port),
                "SIM_URL": f"http://127.0.0.1:{sim_port}", "MARKET_DATA_PORT": str(md_port),
                "ALGO_SERVICE_PORT": str(algo_port), "PYTHONUNBUFFERED": "1"})
    up = subprocess.Popen([sys.executable, "-m", "trading_system.cli", "up"], env=env, cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = up.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        banner = "".join(lines)
        assert "trading-system is up" in banner, banner
        assert "(embedded)" in banner and f"http://127.0.0.1:{api_port}" in banner
        assert f"http://127.0.0.1:{md_port}" in banner and f"http://127.0.0.1:{algo_port}" in banner
        order = requests.post(f"http://127.0.0.1:{api_port}/api/v1/orders", timeout=30, json={
            "venue": "binance", "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}).json()
        assert order["status"] == "FILLED" and order["filled_quantity"] == "0.01000000"
        assert (tmp_path / "var" / "redis" / "appendonly.aof").exists() or any((tmp_path / "var" / "redis").iterdir())
        feeds = requests.get(f"http://127.0.0.1:{md_port}/api/v1/feeds", timeout=10).json()["feeds"]
        assert {f["name"] for f in feeds} >= {"binance", "binance-futures", "inav"}
        algo = requests.post(f"http://127.0.0.1:{algo_port}/api/v1/algos", timeout=10, json={
            "strategy": "twap", "params": {"venue": "binance", "symbol": "BTCUSDT", "side": "BUY",
                                           "quantity": "0.01", "duration": "600", "slices": 10}}).json()
        algo_pid = None
        deadline = time.monotonic() + 30
        while algo_pid is None and time.monotonic() < deadline:
            state = requests.get(f"http://127.0.0.1:{algo_port}/api/v1/algos/{algo['id']}", timeout=10).json()
            algo_pid = state["pid"] if state["status"] == "RUNNING" else None
            time.sleep(0.1)
        assert algo_pid is not None and alive(algo_pid)
        # redis-server, simulator, order service, worker, market data feeds and API, algo API and supervisor
        children = children_of(up.pid)
        assert len(children) >= 8
    finally:
        up.send_signal(signal.SIGTERM)
        code = up.wait(timeout=60)
    output = up.stdout.read()
    assert code == 0, output
    assert "stopped" in output
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if alive(pid)] == []
    assert not alive(algo_pid)  # the algo was stopped with the stack, not orphaned
