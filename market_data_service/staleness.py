"""Marking a silent feed's last values stale, so a strategy reading them (or subscribed) can tell.

The marked value is written back and published again on its channel with `"stale":true`; the next
fresh message from the feed carries `"stale":false` and replaces it.
"""
from __future__ import annotations

from typing import Sequence

from shared.bus import EventBus

FRESH_TAIL = '"stale":false}'
STALE_TAIL = '"stale":true}'

# Atomic per value, and only for a value published before the cut-off: a fresh value written since
# the supervisor's last look is never marked.
_MARK = """
local fresh, stale, cutoff = ARGV[1], ARGV[2], tonumber(ARGV[3])
local marked = 0
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and string.sub(value, -string.len(fresh)) == fresh then
    local published = tonumber(string.match(value, '"ts_publish_ns":(%d+)'))
    if published == nil or published < cutoff then
      value = string.sub(value, 1, string.len(value) - string.len(fresh)) .. stale
      redis.call('SET', key, value)
      redis.call('PUBLISH', ARGV[3 + i], value)
      marked = marked + 1
    end
  end
end
return marked
"""


class StaleMarker:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._script = bus.client.register_script(_MARK)

    def __call__(self, channels: Sequence[str], cutoff_ns: int) -> int:
        """Mark the last values of `channels` published before `cutoff_ns`; returns how many were marked."""
        if not channels:
            return 0
        keys = [self.bus.last_value_key(c) for c in channels]
        return int(self._script(keys=keys, args=[FRESH_TAIL, STALE_TAIL, cutoff_ns, *[self.bus.key(c) for c in channels]]))
