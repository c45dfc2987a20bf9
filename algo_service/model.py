"""What the algo service knows about one deployed algo: pure data, no framework."""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from enum import Enum
from typing import Any


class AlgoStatus(str, Enum):
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    @property
    def is_live(self) -> bool:
        return not self.is_terminal


TERMINAL = frozenset({AlgoStatus.STOPPED, AlgoStatus.FINISHED, AlgoStatus.FAILED})


class RestartPolicy(str, Enum):
    NONE = "none"                # a failed algo stays FAILED
    ON_FAILURE = "on-failure"    # restarted (up to max_restarts) when it fails or its process dies


def new_algo_id() -> str:
    return "algo-" + secrets.token_hex(5)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class AlgoRecord:
    id: str
    strategy: str
    params: dict[str, Any]
    status: AlgoStatus = AlgoStatus.STARTING
    account: str | None = None
    restart_policy: RestartPolicy = RestartPolicy.NONE
    max_restarts: int = 3
    restarts: int = 0
    pid: int | None = None
    created_at: str = field(default_factory=utc_now)
    started_at: str | None = None
    stopped_at: str | None = None
    exit_code: int | None = None
    last_error: str | None = None
    orders_sent: int = 0
    fills: int = 0
    position: dict[str, str] = field(default_factory=dict)  # "venue:symbol" -> signed filled quantity

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["status"] = self.status.value
        body["restart_policy"] = self.restart_policy.value
        return body

    def to_hash(self) -> dict[str, str]:
        """Flat strings for a Redis hash; absent values are left out."""
        out = {}
        for name, value in self.to_dict().items():
            if value is None:
                continue
            out[name] = json.dumps(value) if isinstance(value, dict) else str(value)
        return out

    @classmethod
    def from_hash(cls, raw: dict[str, str]) -> "AlgoRecord":
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            text = raw[f.name]
            if f.name in ("params", "position"):
                values[f.name] = json.loads(text)
            elif f.name in ("pid", "exit_code", "max_restarts", "restarts", "orders_sent", "fills"):
                values[f.name] = int(text)
            elif f.name == "status":
                values[f.name] = AlgoStatus(text)
            elif f.name == "restart_policy":
                values[f.name] = RestartPolicy(text)
            else:
                values[f.name] = text
        return cls(**values)
