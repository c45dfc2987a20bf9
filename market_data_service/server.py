"""Runs the market data API under gunicorn with a gthread worker (keep-alive connections)."""
from __future__ import annotations

import sys

from shared.settings import Settings


def gunicorn_argv(settings: Settings, bind: str | None = None) -> list[str]:
    return [
        "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", str(settings.market_data_threads),
        "--bind", bind or f"127.0.0.1:{settings.market_data_port}", "--keep-alive", "30", "--graceful-timeout", "5",
        *(["--access-logfile", "-"] if settings.log_level == "DEBUG" else []),
        "market_data_service.wsgi:build()",
    ]


def main(argv: list[str] | None = None) -> None:
    from gunicorn.app.wsgiapp import run

    settings = Settings.from_env()
    sys.argv = gunicorn_argv(settings) + list(argv or [])
    run()
