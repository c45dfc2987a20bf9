"""`trading-system algo deploy|list|show|stop|logs`: functions taking argparse args, plus `add_algo_commands`."""
from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal

import requests

from shared.http.commands import call, show_response
from shared.settings import Settings


def add_algo_commands(commands) -> None:
    """Add the `algo` command to the `trading-system` subparsers."""
    algo = commands.add_parser("algo", help="deploy, list, show, stop algos and read their logs")
    verbs = algo.add_subparsers(title="actions")
    deploy_cmd = verbs.add_parser("deploy", help="deploy a strategy, e.g. algo deploy twap --param venue=binance ...")
    deploy_cmd.add_argument("strategy")
    deploy_cmd.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                            help="one strategy parameter (repeatable)")
    deploy_cmd.add_argument("--params", help="all parameters as a JSON object")
    deploy_cmd.add_argument("--account")
    deploy_cmd.add_argument("--restart-policy", choices=["none", "on-failure"], default="none")
    deploy_cmd.set_defaults(handler=deploy)
    listing = verbs.add_parser("list", help="list algos")
    listing.add_argument("--status")
    listing.add_argument("--strategy")
    listing.set_defaults(handler=list_algos)
    for verb, handler in (("show", show), ("stop", stop)):
        sub = verbs.add_parser(verb, help=f"{verb} one algo")
        sub.add_argument("algo_id")
        sub.set_defaults(handler=handler)
    logs_cmd = verbs.add_parser("logs", help="the latest log lines of an algo")
    logs_cmd.add_argument("algo_id")
    logs_cmd.add_argument("--tail", type=int, default=200)
    logs_cmd.set_defaults(handler=logs)
    strategies_cmd = verbs.add_parser("strategies", help="the strategy catalog")
    strategies_cmd.set_defaults(handler=strategies)


def _api() -> str:
    return Settings.from_env().algo_service_url


def _call(method: str, path: str, **kwargs) -> int:
    return call("algo service", _api(), method, path, **kwargs)


def parse_params(pairs: list[str], raw_json: str | None) -> dict:
    params = json.loads(raw_json, parse_float=Decimal) if raw_json else {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--param takes NAME=VALUE, got {pair!r}")
        params[name.strip()] = int(value) if value.isdigit() and name.strip() == "slices" else value
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in params.items()}


def deploy(args: argparse.Namespace) -> int:
    body = {"strategy": args.strategy, "params": parse_params(args.param, args.params),
            "restart_policy": args.restart_policy}
    if args.account:
        body["account"] = args.account
    return _call("POST", "/api/v1/algos", json=body)


def list_algos(args: argparse.Namespace) -> int:
    return _call("GET", "/api/v1/algos", params={k: v for k, v in (("status", args.status),
                                                                     ("strategy", args.strategy)) if v})


def show(args: argparse.Namespace) -> int:
    return _call("GET", f"/api/v1/algos/{args.algo_id}")


def stop(args: argparse.Namespace) -> int:
    return _call("DELETE", f"/api/v1/algos/{args.algo_id}")


def logs(args: argparse.Namespace) -> int:
    try:
        response = requests.get(f"{_api()}/api/v1/algos/{args.algo_id}/logs", params={"tail": args.tail}, timeout=30)
    except requests.ConnectionError:
        print(f"algo service unreachable at {_api()}", file=sys.stderr)
        return 1
    if not response.ok:
        return show_response(response)
    print("\n".join(response.json()["lines"]))
    return 0


def strategies(args: argparse.Namespace) -> int:
    return _call("GET", "/api/v1/strategies")
