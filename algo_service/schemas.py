"""Request and response models of the algo API; /openapi.json is generated from them."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from algo_service.model import AlgoStatus, RestartPolicy


class AlgoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    strategy: str = Field(min_length=1, max_length=64, description="a name from GET /api/v1/strategies")
    params: dict[str, Any] = Field(default_factory=dict, description="validated against the strategy's params_schema")
    account: str | None = Field(None, min_length=1, max_length=64,
                                description="filled into params.account when the strategy takes one")
    restart_policy: RestartPolicy = RestartPolicy.NONE
    max_restarts: int = Field(3, ge=0, le=100)


class AlgoOut(BaseModel):
    id: str
    strategy: str
    params: dict[str, Any]
    status: AlgoStatus
    account: str | None
    restart_policy: RestartPolicy
    max_restarts: int
    restarts: int
    pid: int | None
    created_at: str
    started_at: str | None
    stopped_at: str | None
    exit_code: int | None
    last_error: str | None
    orders_sent: int
    fills: int
    position: dict[str, str]


class AlgoList(BaseModel):
    algos: list[AlgoOut]


class AlgoLogs(BaseModel):
    algo_id: str
    lines: list[str]


class StrategyOut(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]


class StrategyList(BaseModel):
    strategies: list[StrategyOut]
