"""`trading-system` — start the system, or drive it from a terminal."""
from __future__ import annotations

import argparse
import logging
import sys

from algo_service.cli import add_algo_commands
from shared.http.commands import call
from shared.logs import configure_logging
from shared.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args) or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trading-system", description=__doc__)
    commands = parser.add_subparsers(title="commands")

    up = commands.add_parser("up", help="start Redis, the exchange simulator, the order service and its worker, "
                                        "the market data service with its feeds, "
                                        "and the algo service with its supervisor")
    up.set_defaults(handler=_up)

    sim = commands.add_parser("sim", help="run the exchange simulator alone", add_help=False)
    sim.add_argument("sim_args", nargs=argparse.REMAINDER)
    sim.set_defaults(handler=_sim)

    order = commands.add_parser("order", help="place, list, show, amend or cancel orders")
    verbs = order.add_subparsers(title="actions")
    place = verbs.add_parser("place", help="place an order")
    for name in ("venue", "symbol", "side", "type", "quantity"):
        place.add_argument(f"--{name}", required=True)
    for name in ("price", "stop-price", "time-in-force", "client-order-id", "account", "broker", "algo-id"):
        place.add_argument(f"--{name}")
    place.add_argument("--post-only", action="store_true")
    place.add_argument("--reduce-only", action="store_true")
    place.set_defaults(handler=_place)
    listing = verbs.add_parser("list", help="list orders (newest first)")
    for name in ("status", "venue", "symbol", "algo-id", "limit"):
        listing.add_argument(f"--{name}")
    listing.set_defaults(handler=_list)
    for verb, handler in (("show", _show), ("cancel", _cancel), ("fills", _fills)):
        sub = verbs.add_parser(verb, help=f"{verb} one order")
        sub.add_argument("order_id")
        sub.set_defaults(handler=handler)
    amend = verbs.add_parser("amend", help="change an order's price and/or quantity")
    amend.add_argument("order_id")
    amend.add_argument("--price")
    amend.add_argument("--quantity")
    amend.set_defaults(handler=_amend)

    tail = commands.add_parser("tail", help="print messages of channels matching a pattern, e.g. 'orders.*'")
    tail.add_argument("pattern")
    tail.set_defaults(handler=_tail)

    md = commands.add_parser("md", help="market data: follow channels, read snapshots, list feeds")
    md_verbs = md.add_subparsers(title="actions")
    md_tail = md_verbs.add_parser("tail", help="print market data messages of channels matching a pattern, e.g. 'md.*'")
    md_tail.add_argument("pattern", help="a Redis glob pattern such as 'md.quote.binance.*' (default prefix added)")
    md_tail.add_argument("--snapshot", action="store_true", help="first print the last value of each matching channel")
    md_tail.set_defaults(handler=_md_tail)
    md_snap = md_verbs.add_parser("snapshot", help="last values of one instrument (venue 'inav' or 'fx' too)")
    md_snap.add_argument("venue")
    md_snap.add_argument("symbol")
    md_snap.set_defaults(handler=_md_snapshot)
    md_feeds = md_verbs.add_parser("feeds", help="each feed's state, message count and last message age")
    md_feeds.set_defaults(handler=_md_feeds)

    add_algo_commands(commands)

    events = commands.add_parser("events", help="print the order event stream from the start, then follow it")
    events.add_argument("--from-id", default="0-0")
    events.add_argument("--no-follow", action="store_true")
    events.set_defaults(handler=_events)
    return parser


def _up(args) -> int:
    from trading_system.stack import Stack

    settings = Settings.from_env()
    configure_logging("trading-system", settings.log_level, json_lines=False, secrets=settings.secrets())
    stack = Stack(settings)
    try:
        stack.start()
    except RuntimeError as error:
        logging.getLogger("trading-system").error("start failed: %s", error)
        return 1
    print(stack.describe(), flush=True)
    try:
        code = stack.wait()
    finally:
        print("stopping...", flush=True)
        stack.stop()
    print("stopped", flush=True)
    return code


def _sim(args) -> int:
    from exchange_simulator.__main__ import main as simulator_main

    return simulator_main(args.sim_args) or 0


# -- order commands: thin wrappers over the REST API ------------------------------------------------

def _api() -> str:
    return Settings.from_env().order_service_url


def _call(method: str, path: str, **kwargs) -> int:
    return call("order service", _api(), method, path, **kwargs)


def _place(args) -> int:
    body = {"venue": args.venue, "symbol": args.symbol, "side": args.side.upper(), "type": args.type.upper(),
            "quantity": args.quantity, "post_only": args.post_only, "reduce_only": args.reduce_only}
    for name in ("price", "stop_price", "time_in_force", "client_order_id", "account", "broker", "algo_id"):
        if getattr(args, name) is not None:
            body[name] = getattr(args, name)
    return _call("POST", "/api/v1/orders", json=body)


def _list(args) -> int:
    params = {k: v for k, v in vars(args).items() if k in ("status", "venue", "symbol", "algo_id", "limit") and v}
    return _call("GET", "/api/v1/orders", params=params)


def _show(args) -> int:
    return _call("GET", f"/api/v1/orders/{args.order_id}")


def _fills(args) -> int:
    return _call("GET", f"/api/v1/orders/{args.order_id}/fills")


def _cancel(args) -> int:
    return _call("DELETE", f"/api/v1/orders/{args.order_id}")


def _amend(args) -> int:
    body = {k: v for k, v in (("price", args.price), ("quantity", args.quantity)) if v is not None}
    return _call("PATCH", f"/api/v1/orders/{args.order_id}", json=body)


# -- the bus ------------------------------------------------------------------------------------------

def _bus():
    from shared.bus import EventBus

    settings = Settings.from_env()
    if not settings.redis_url:
        print("set REDIS_URL to the Redis that `trading-system up` printed", file=sys.stderr)
        raise SystemExit(1)
    return EventBus.from_url(settings.redis_url, settings.bus_prefix, socket_timeout=None)


def _tail(args) -> int:
    return _follow(_bus().pubsub(patterns=[args.pattern]))


def _md_tail(args) -> int:
    bus = _bus()
    if args.snapshot:
        # Last values live under `last:{channel}`: the same pattern finds them.
        keys = sorted(bus.client.scan_iter(match=bus.last_value_key(args.pattern), count=1000))
        for key, payload in zip(keys, bus.client.mget(keys) if keys else []):
            if payload is not None:
                print(f"{key.replace('last:', '', 1)} {payload}", flush=True)
    return _follow(bus.pubsub(patterns=[args.pattern]))


def _md_api(path: str) -> int:
    return call("market data service", Settings.from_env().market_data_url, "GET", path, timeout=10)


def _md_snapshot(args) -> int:
    return _md_api(f"/api/v1/marketdata/{args.venue}/{args.symbol}")


def _md_feeds(args) -> int:
    return _md_api("/api/v1/feeds")


def _follow(pubsub) -> int:
    try:
        for message in pubsub.listen():
            if message["type"] == "pmessage":
                print(f"{message['channel']} {message['data']}", flush=True)
    except KeyboardInterrupt:
        return 0
    return 0


def _events(args) -> int:
    from shared.bus import ORDER_STREAM

    bus = _bus()
    last = args.from_id
    try:
        while True:
            entries = bus.read_stream(ORDER_STREAM, last, count=500, block_ms=None if args.no_follow else 5000)
            for entry_id, fields in entries:
                print(f"{entry_id} {fields['event']}", flush=True)
                last = entry_id
            if args.no_follow and not entries:
                return 0
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
