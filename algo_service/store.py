"""Algo state in Redis, so every API worker and the supervisor see the same algos.

Keys (all under the bus prefix): `algos:{id}` (hash), `algos:index` (sorted by creation),
`algos:commands` (list the supervisor pops), `algos:{id}:logs` (capped list), `algos:{id}:owner`
(the pid running it, with a TTL its process keeps refreshing). Lifecycle events go to the stream
`algos:events` and the channel `algos.{id}`, in the same script that changes the status.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from shared.bus import ALGO_STREAM, EventBus

from algo_service.model import AlgoRecord, AlgoStatus, utc_now

LOG_LINES_KEPT = 5000
EVENTS_MAXLEN = 100_000
OWNER_TTL_SECONDS = 5

# Change the status only from one of the allowed ones (any when none are given), set the other fields,
# and publish the lifecycle event, atomically: two writers can never both win a transition.
_TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return false end
if ARGV[1] ~= '' then
  local allowed = false
  for s in string.gmatch(ARGV[1], '[^,]+') do if s == current then allowed = true end end
  if not allowed then return false end
end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'algo_id', KEYS[4], 'type', 'algo.' .. string.lower(ARGV[2]),
           'event', ARGV[3])
redis.call('PUBLISH', KEYS[3], ARGV[3])
return current
"""


def algo_channel(algo_id: str) -> str:
    return f"algos.{algo_id}"


class AlgoStore:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.client = bus.client
        self._transition = self.client.register_script(_TRANSITION)

    def _key(self, algo_id: str, suffix: str = "") -> str:
        return self.bus.key(f"algos:{algo_id}{suffix}")

    # -- records ---------------------------------------------------------------------------------

    def create(self, record: AlgoRecord) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._key(record.id), mapping=record.to_hash())
        pipe.zadd(self.bus.key("algos:index"), {record.id: _score(record.created_at)})
        pipe.execute()
        self._event(record.id, record.status, {"strategy": record.strategy})

    def get(self, algo_id: str) -> AlgoRecord | None:
        raw = self.client.hgetall(self._key(algo_id))
        return AlgoRecord.from_hash(raw) if raw else None

    def all(self) -> list[AlgoRecord]:
        ids = self.client.zrange(self.bus.key("algos:index"), 0, -1)
        pipe = self.client.pipeline(transaction=False)
        for algo_id in ids:
            pipe.hgetall(self._key(algo_id))
        return [AlgoRecord.from_hash(raw) for raw in pipe.execute() if raw]

    def list(self, statuses: Iterable[AlgoStatus] | None = None, strategy: str | None = None) -> list[AlgoRecord]:
        wanted = set(statuses) if statuses else None
        return [r for r in self.all()
                if (wanted is None or r.status in wanted) and (strategy is None or r.strategy == strategy)]

    def update(self, algo_id: str, **values: Any) -> None:
        mapping = {k: _text(v) for k, v in values.items() if v is not None}
        if mapping:
            self.client.hset(self._key(algo_id), mapping=mapping)
        cleared = [k for k, v in values.items() if v is None]
        if cleared:
            self.client.hdel(self._key(algo_id), *cleared)

    def incr(self, algo_id: str, name: str, amount: int = 1) -> None:
        self.client.hincrby(self._key(algo_id), name, amount)

    def transition(self, algo_id: str, status: AlgoStatus, *, allowed_from: Iterable[AlgoStatus] = (),
                   **values: Any) -> AlgoStatus | None:
        """Move to `status` if the algo is in one of `allowed_from` (any status when empty).

        Returns the previous status, or None when the algo is unknown or was not in an allowed status.
        """
        values = {k: v for k, v in values.items() if v is not None}
        if status.is_terminal:
            values.setdefault("stopped_at", utc_now())
        event = json.dumps({"type": f"algo.{status.value.lower()}", "schema_version": 1, "time": utc_now(),
                            "algo_id": algo_id, "status": status.value, **values}, default=str)
        args: list[str] = [",".join(s.value for s in allowed_from), status.value, event, str(EVENTS_MAXLEN)]
        for name, value in values.items():
            args += [name, _text(value)]
        previous = self._transition(keys=[self._key(algo_id), self.bus.key(ALGO_STREAM),
                                          self.bus.key(algo_channel(algo_id)), algo_id], args=args)
        return AlgoStatus(previous) if previous else None

    def _event(self, algo_id: str, status: AlgoStatus, extra: dict[str, Any]) -> None:
        self.transition(algo_id, status, allowed_from=(status,), **extra)

    # -- commands to the supervisor --------------------------------------------------------------

    def send_command(self, op: str, algo_id: str) -> None:
        self.client.rpush(self.bus.key("algos:commands"), json.dumps({"op": op, "algo_id": algo_id}))

    def next_command(self, timeout: float) -> dict[str, str] | None:
        item = self.client.blpop([self.bus.key("algos:commands")], timeout=timeout)
        return json.loads(item[1]) if item else None

    # -- logs ------------------------------------------------------------------------------------

    def append_logs(self, algo_id: str, lines: list[str]) -> None:
        key = self._key(algo_id, ":logs")
        pipe = self.client.pipeline(transaction=False)
        pipe.rpush(key, *lines)
        pipe.ltrim(key, -LOG_LINES_KEPT, -1)
        pipe.execute()

    def logs(self, algo_id: str, tail: int = 200) -> list[str]:
        return self.client.lrange(self._key(algo_id, ":logs"), -tail, -1)

    # -- ownership: at most one live process per algo --------------------------------------------

    def claim(self, algo_id: str, pid: int) -> bool:
        return bool(self.client.set(self._key(algo_id, ":owner"), str(pid), nx=True, ex=OWNER_TTL_SECONDS))

    def refresh_claim(self, algo_id: str, pid: int) -> bool:
        """Extend the claim if it is still ours."""
        key = self._key(algo_id, ":owner")
        if self.client.get(key) != str(pid):
            return False
        self.client.expire(key, OWNER_TTL_SECONDS)
        return True

    def owner(self, algo_id: str) -> int | None:
        value = self.client.get(self._key(algo_id, ":owner"))
        return int(value) if value else None

    def release(self, algo_id: str) -> None:
        self.client.delete(self._key(algo_id, ":owner"))


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    if hasattr(value, "value") and not isinstance(value, (str, int)):
        return str(value.value)
    return str(value)


def _score(created_at: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()
