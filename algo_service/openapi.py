"""The algo service's OpenAPI document."""
from __future__ import annotations

from shared.http.openapi import Operation, build_openapi

from algo_service.schemas import AlgoCreate, AlgoList, AlgoLogs, AlgoOut, StrategyList

OPERATIONS = [
    Operation("POST", "/api/v1/algos", "Deploy a strategy as a new algo (its own process)", AlgoCreate,
              {201: AlgoOut}, problems=(400, 404, 422), tag="algos"),
    Operation("GET", "/api/v1/algos", "List algos", None, {200: AlgoList},
              (("status", "comma-separated statuses"), ("strategy", "strategy name")), tag="algos"),
    Operation("GET", "/api/v1/algos/{algo_id}", "Read an algo: status, process, counters", None, {200: AlgoOut},
              problems=(404,), tag="algos"),
    Operation("DELETE", "/api/v1/algos/{algo_id}", "Stop an algo gracefully (forced after the stop timeout)", None,
              {202: AlgoOut, 200: AlgoOut}, problems=(404,), tag="algos"),
    Operation("GET", "/api/v1/algos/{algo_id}/logs", "The algo's latest log lines", None, {200: AlgoLogs},
              (("tail", "how many lines, 1-5000, default 200"),), problems=(404, 422), tag="algos"),
    Operation("GET", "/api/v1/strategies", "The strategy catalog with each one's params schema", None,
              {200: StrategyList}, problems=(), tag="strategies"),
    Operation("GET", "/healthz", "Health of the service and its dependencies", None, {200: None, 503: None},
              problems=(), tag="operations"),
]


def document() -> dict:
    return build_openapi("Trading System — Algo Service", "1.0",
                         "Deploy strategies as supervised processes, follow them, and stop them.", OPERATIONS)
