"""The algo service of the `running` stack (API under gunicorn + supervisor), and helpers."""
from __future__ import annotations

import pytest
import requests

from shared.bus import EventBus
from trading_system.processes import ManagedProcess
from tests.e2e.polling import poll

B3_ACCOUNT = {"broker": "SIM", "account": "12345"}


class Algos:
    def __init__(self, running) -> None:
        self.running = running
        self.api = running.algo_api
        self.http = requests.Session()

    @property
    def supervisor(self) -> ManagedProcess:
        return next(p for p in self.running.stack.processes if p.name == "algo_supervisor")

    def restart_supervisor(self) -> None:
        """The supervisor dies without warning (SIGKILL) and a new one takes over, as after a crash."""
        old = self.supervisor
        old.process.kill()
        old.process.wait()
        self.running.stack.processes.remove(old)
        self.running.stack.start_algo_supervisor(old.env)  # returns once the new one is in charge

    def deploy(self, strategy: str, params: dict, **extra) -> requests.Response:
        return self.http.post(f"{self.api}/api/v1/algos", json={"strategy": strategy, "params": params, **extra},
                              timeout=10)

    def get(self, algo_id: str) -> dict:
        return self.http.get(f"{self.api}/api/v1/algos/{algo_id}", timeout=10).json()

    def stop(self, algo_id: str) -> requests.Response:
        return self.http.delete(f"{self.api}/api/v1/algos/{algo_id}", timeout=10)

    def logs(self, algo_id: str) -> list[str]:
        return self.http.get(f"{self.api}/api/v1/algos/{algo_id}/logs", timeout=10).json()["lines"]

    def wait(self, algo_id: str, predicate, timeout: float = 20.0) -> dict:
        return poll(lambda: self.get(algo_id), predicate, timeout, 0.05)

    def algo_orders(self, algo_id: str, **filters) -> list[dict]:
        return self.running.http.get(f"{self.running.api}/api/v1/orders", params={"algo_id": algo_id, **filters},
                                     timeout=10).json()["orders"]

    def wait_orders(self, algo_id: str, predicate, timeout: float = 20.0) -> list[dict]:
        return poll(lambda: self.algo_orders(algo_id), predicate, timeout)


@pytest.fixture(scope="module")
def algos(running):
    """The algo service and supervisor of the `running` stack; iNAV for BITH11 flowing on the bus."""
    bus = EventBus.from_url(running.stack.redis_url, running.settings.bus_prefix)
    try:
        assert _inav_flowing(bus, "BITH11", wait=30.0), "the market data service publishes no iNAV for BITH11"
    finally:
        bus.close()
    return Algos(running)


def _inav_flowing(bus: EventBus, symbol: str, wait: float = 3.0) -> bool:
    return bool(poll(lambda: bus.get_value(f"last:md.inav.{symbol}"), bool, wait, 0.2))
