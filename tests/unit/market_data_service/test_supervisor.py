from shared.backoff import Backoff
from market_data_service.config import FeedSpec
from market_data_service.supervisor import Supervisor

S = 1_000_000_000


class FakeProcess:
    pids = iter(range(100, 1000))

    def __init__(self) -> None:
        self.pid = next(self.pids)
        self.exitcode = None
        self.terminated = False

    def is_alive(self) -> bool:
        return self.exitcode is None

    def die(self, code: int = -9) -> None:
        self.exitcode = code

    def terminate(self) -> None:
        self.terminated = True
        self.exitcode = -15

    kill = terminate

    def join(self, timeout=None) -> None:
        pass


class FakePipe:
    def __init__(self) -> None:
        self.reports: list[dict] = []

    def poll(self, timeout=0) -> bool:
        return bool(self.reports)

    def recv(self) -> dict:
        return self.reports.pop(0)

    def close(self) -> None:
        pass


class World:
    def __init__(self, specs):
        self.now = 0.0
        self.launched: dict[str, list[tuple[FakeProcess, FakePipe]]] = {}
        self.status: list[dict] = []
        self.marked: list[tuple[list[str], int]] = []
        self.supervisor = Supervisor(
            specs, self.launch, self.status.append, lambda channels, cutoff: self.marked.append((channels, cutoff)) or 1,
            clock=lambda: self.now, clock_ns=lambda: int(self.now * S),
            backoff=lambda: Backoff(base=1.0, cap=8.0, jitter=0.0))

    def launch(self, spec):
        pair = (FakeProcess(), FakePipe())
        self.launched.setdefault(spec.name, []).append(pair)
        return pair

    def latest(self, name):
        return self.launched[name][-1]

    def feed(self, name) -> dict:
        return next(f for f in self.status[-1]["feeds"] if f["name"] == name)


def spec(name: str, stale_after: float = 5.0) -> FeedSpec:
    return FeedSpec(name, "websocket", name, stale_after, True, name)


def test_a_dead_feed_is_restarted_with_growing_backoff_and_the_others_are_untouched():
    world = World([spec("binance"), spec("hashdex")])
    world.supervisor.start()
    world.latest("binance")[0].die(-9)
    world.supervisor.tick()
    assert world.feed("binance")["state"] == "failed" and world.feed("binance")["last_exit"] == "killed by signal 9"
    assert world.feed("hashdex")["state"] == "starting"
    world.now = 0.9
    world.supervisor.tick()
    assert len(world.launched["binance"]) == 1           # still waiting out the 1 s backoff
    world.now = 1.0
    world.supervisor.tick()
    assert len(world.launched["binance"]) == 2 and world.feed("binance")["restarts"] == 1
    world.latest("binance")[0].die(1)
    world.supervisor.tick()
    world.now = 2.9
    world.supervisor.tick()
    assert len(world.launched["binance"]) == 2           # second backoff is 2 s
    world.now = 3.0
    world.supervisor.tick()
    assert len(world.launched["binance"]) == 3 and world.feed("binance")["last_exit"] == "exit code 1"
    assert len(world.launched["hashdex"]) == 1


def test_a_feed_that_stayed_up_restarts_from_the_shortest_backoff():
    world = World([spec("binance")])
    world.supervisor.start()
    for _ in range(3):
        world.latest("binance")[0].die()
        world.supervisor.tick()
        world.now += 10
        world.supervisor.tick()
    world.now += 60
    world.supervisor.tick()                                # up for a minute: stable
    world.latest("binance")[0].die()
    world.supervisor.tick()
    world.now += 1.0
    world.supervisor.tick()
    assert world.feed("binance")["restarts"] == 4 and world.feed("binance")["state"] != "failed"


def test_reports_become_states_counts_survive_restarts_and_silence_marks_values_stale():
    world = World([spec("binance", stale_after=5)])
    world.supervisor.start()
    process, pipe = world.latest("binance")
    pipe.reports.append({"link": "connected", "messages": 10, "last_message_ns": 1 * S,
                         "malformed": {"not JSON": 2}, "channels": ["md.quote.binance.BTCUSDT"]})
    world.now = 2
    world.supervisor.tick()
    feed = world.feed("binance")
    assert (feed["state"], feed["messages"], feed["malformed_total"], feed["pid"]) == ("connected", 10, 2, process.pid)
    assert feed["last_message_age_s"] == 1.0
    world.now = 6.5
    world.supervisor.tick()
    assert world.feed("binance")["state"] == "stale"
    assert world.marked == [(["md.quote.binance.BTCUSDT"], int(1.5 * S))]
    world.now = 7
    world.supervisor.tick()
    assert len(world.marked) == 1                          # marked once per silence
    process.die()
    world.supervisor.tick()
    world.now = 8
    world.supervisor.tick()
    world.latest("binance")[1].reports.append({"link": "connected", "messages": 3, "last_message_ns": 8 * S,
                                               "malformed": {"not JSON": 1}, "channels": []})
    world.supervisor.tick()
    feed = world.feed("binance")
    assert (feed["state"], feed["messages"], feed["malformed"], feed["restarts"]) == ("connected", 13, {"not JSON": 3}, 1)


def test_stopping_terminates_every_feed_and_restarts_nothing():
    world = World([spec("binance"), spec("hashdex")])
    world.supervisor.start()
    world.supervisor.stop()
    world.now = 100
    world.supervisor.tick()
    assert all(p.terminated for runs in world.launched.values() for p, _ in runs)
    assert sum(len(runs) for runs in world.launched.values()) == 2
