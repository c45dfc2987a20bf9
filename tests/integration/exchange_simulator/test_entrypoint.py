"""``python -m exchange_simulator`` starts a working service."""
from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal

import requests


def test_module_entrypoint_serves_binance_and_steps_the_market():
    process = subprocess.Popen(
        [sys.executable, "-m", "exchange_simulator", "--port", "0", "--seed", "7", "--step-interval", "0.02"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, f"unexpected start-up output: {line!r}"
        base = match.group(1)
        ping = requests.get(base + "/binance/api/v3/ping", timeout=5)
        assert ping.json() == {}
        assert ping.headers.get("Connection", "").lower() != "close"  # keep-alive: clients reuse connections
        book = requests.get(base + "/binance/api/v3/ticker/bookTicker", params={"symbol": "BTCUSDT"},
                            timeout=5).json()
        assert Decimal(book["bidPrice"]) < Decimal(book["askPrice"])
        assert requests.get(base + "/healthz", timeout=5).json()["status"] == "ok"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
