"""The Redis event bus: streams for what must not be lost, pub/sub for the fast path.

Every key and channel takes the deployment's prefix, so several deployments (or test runs) can share
one Redis. Connection errors are retried with exponential backoff by the client itself.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Iterable, Sequence

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

ORDER_STREAM = "orders:events"
ALGO_STREAM = "algos:events"
STREAM_MAXLEN = 1_000_000
PUBLISHED_MARK_TTL = 7 * 24 * 3600


def order_channel(order_id: str) -> str:
    return f"orders.{order_id}"


def algo_orders_channel(algo_id: str) -> str:
    return f"orders.algo.{algo_id}"


def connect(url: str, *, retries: int = 3, socket_timeout: float = 5.0) -> redis.Redis:
    """A client that reconnects with exponential backoff (capped at 2 s) on connection errors."""
    return redis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        socket_timeout=socket_timeout,
        socket_connect_timeout=2.0,
        health_check_interval=30,
        decode_responses=True,
    )


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    """One order event from the outbox: `seq` is its outbox number, the exactly-once key."""

    seq: int
    order_id: str
    algo_id: str | None
    type: str
    payload: str


# XADD + PUBLISH only if this outbox seq was never published: a crash between publishing and marking
# the outbox row cannot put an event on the stream twice.
_PUBLISH_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'seq', ARGV[3], 'type', ARGV[4],
                        'order_id', ARGV[5], 'event', ARGV[6])
  redis.call('PUBLISH', KEYS[3], ARGV[6])
  if KEYS[4] ~= '' then redis.call('PUBLISH', KEYS[4], ARGV[6]) end
  return id
end
return false
"""


# PUBLISH each (channel, payload) pair of ARGV (after one index per key), then SET each key of KEYS to
# the payload of the message its index names: the last value of its channel.
_PUBLISH_BURST = """
local keys = #KEYS
for i = keys + 1, #ARGV, 2 do
  redis.call('PUBLISH', ARGV[i], ARGV[i + 1])
end
for k = 1, keys do
  redis.call('SET', KEYS[k], ARGV[keys + 2 * tonumber(ARGV[k])])
end
return (#ARGV - keys) / 2
"""


# A relay turn: KEYS[1] holds the holder's token, KEYS[2] is set by whoever found the turn taken and
# left the work to the holder instead of waiting. Taking the turn clears the requests (the holder's
# next read covers them); handing it back keeps it for one more round when a request came in meanwhile.
_TAKE_TURN = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
"""
_HAND_BACK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""
_GIVE_UP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


class TurnLost(Exception):
    """The turn expired while its holder still worked: another process may have taken it."""


class RelayTurn:
    """Turn-taking of the processes that relay one queue, without any of them waiting for another.

    `take()` gets the turn or, when another process has it, returns False after leaving a request
    for it: the holder sees the request when it hands the turn back and goes round once more, so
    work committed before the request is relayed without the requester blocking.
    """

    def __init__(self, bus: "EventBus", name: str, ttl_seconds: float) -> None:
        self._client = bus.client
        self._keys = [bus.key(f"turn:{name}"), bus.key(f"turn:{name}:again")]
        self._ttl_ms = int(ttl_seconds * 1000)
        self._token = uuid.uuid4().hex
        self._take = bus.scripts["take_turn"]
        self._hand_back = bus.scripts["hand_back"]
        self._give_up = bus.scripts["give_up"]

    def take(self) -> bool:
        if self._take(keys=self._keys, args=[self._token, self._ttl_ms]):
            return True
        self._client.set(self._keys[1], "1", px=self._ttl_ms)
        # Taken again at once: the holder let go before it could have seen the request.
        return bool(self._take(keys=self._keys, args=[self._token, self._ttl_ms]))

    def hand_back(self) -> bool:
        """Let go of the turn, unless a request came in since it was taken: then True, go round again."""
        result = self._hand_back(keys=self._keys, args=[self._token, self._ttl_ms])
        if result == -1:
            raise TurnLost(self._keys[0])
        return result == 1

    def give_up(self) -> None:
        """Let go after a failure, whatever requests are pending (the periodic relay picks them up)."""
        self._give_up(keys=self._keys, args=[self._token])


class EventBus:
    def __init__(self, client: redis.Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix
        self._publish_once = client.register_script(_PUBLISH_ONCE)
        self._publish_burst = client.register_script(_PUBLISH_BURST)
        self.scripts = {"take_turn": client.register_script(_TAKE_TURN),
                        "hand_back": client.register_script(_HAND_BACK),
                        "give_up": client.register_script(_GIVE_UP)}

    @classmethod
    def from_url(cls, url: str, prefix: str = "", **kwargs) -> "EventBus":
        return cls(connect(url, **kwargs), prefix)

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def last_value_key(self, channel: str) -> str:
        """Where the last payload published on `channel` is kept, for late subscribers."""
        return self.key(f"last:{channel}")

    def publish_order_events(self, events: Sequence[OutgoingEvent]) -> int:
        """Append each event to the order stream and its channels, once per seq; returns how many were new."""
        if not events:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for event in events:
            self._publish_once(
                keys=[self.key(f"orders:published:{event.seq}"), self.key(ORDER_STREAM),
                      self.key(order_channel(event.order_id)),
                      self.key(algo_orders_channel(event.algo_id)) if event.algo_id else ""],
                args=[PUBLISHED_MARK_TTL, STREAM_MAXLEN, event.seq, event.type, event.order_id, event.payload],
                client=pipe,
            )
        return sum(1 for result in pipe.execute() if result)

    def publish(self, channel: str, payload: str) -> None:
        self.client.publish(self.key(channel), payload)

    def publish_with_last_value(self, channel: str, payload: str) -> None:
        """Publish and keep the payload as the channel's last value, for late subscribers."""
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.last_value_key(channel), payload)
        pipe.publish(self.key(channel), payload)
        pipe.execute()

    def publish_many(self, messages: Sequence[tuple[str, str]], keep_last: bool = True) -> None:
        """Publish a burst in one round trip; with `keep_last` each channel's last payload is kept too.

        One script call carries the whole burst (far cheaper to send than one command per message), and
        only the final payload of a channel is written to its `last:` key: the earlier ones are
        superseded within the same burst.
        """
        if not messages:
            return
        last: dict[str, int] = {}
        args: list[str] = []
        for index, (channel, payload) in enumerate(messages):
            args += (self.key(channel), payload)
            last[channel] = index
        if not keep_last:
            last = {}
        keys = [self.last_value_key(channel) for channel in last]
        self._publish_burst(keys=keys, args=[str(index + 1) for index in last.values()] + args)

    def last_values(self, channels: Sequence[str]) -> list[str | None]:
        """The last payload kept for each channel (None where there is none), in one round trip."""
        if not channels:
            return []
        return self.client.mget([self.last_value_key(channel) for channel in channels])

    def set_value(self, name: str, value: str, ttl_seconds: int | None = None) -> None:
        self.client.set(self.key(name), value, ex=ttl_seconds)

    def get_value(self, name: str) -> str | None:
        return self.client.get(self.key(name))

    def append(self, stream: str, fields: dict[str, str], maxlen: int = STREAM_MAXLEN) -> str:
        return self.client.xadd(self.key(stream), fields, maxlen=maxlen, approximate=True)

    def read_stream(self, stream: str, after: str = "0-0", count: int = 100,
                    block_ms: int | None = None) -> list[tuple[str, dict[str, str]]]:
        """Entries after the given id, oldest first (blocking up to block_ms when there are none)."""
        result = self.client.xread({self.key(stream): after}, count=count, block=block_ms)
        return result[0][1] if result else []

    def pubsub(self, channels: Iterable[str] = (), patterns: Iterable[str] = ()) -> redis.client.PubSub:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        if channels:
            pubsub.subscribe(*[self.key(c) for c in channels])
        if patterns:
            pubsub.psubscribe(*[self.key(p) for p in patterns])
        return pubsub

    def relay_turn(self, name: str, ttl_seconds: float = 30.0) -> RelayTurn:
        return RelayTurn(self, name, ttl_seconds)

    def lock(self, name: str, timeout: float = 10.0, blocking_timeout: float | None = None):
        return self.client.lock(self.key(f"lock:{name}"), timeout=timeout, blocking_timeout=blocking_timeout)

    def ping(self) -> bool:
        return bool(self.client.ping())

    def close(self) -> None:
        self.client.close()
