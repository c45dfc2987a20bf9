"""Runs the algo API under gunicorn with gthread workers; any worker serves any algo (state is in Redis)."""
from __future__ import annotations

import sys

from shared.settings import Settings


def gunicorn_argv(settings: Settings, bind: str | None = None) -> list[str]:
    return [
        "gunicorn", "--worker-class", "gthread", "--workers", str(settings.algo_service_workers),
        "--threads", str(settings.algo_service_threads), "--bind", bind or f"127.0.0.1:{settings.algo_service_port}",
        "--keep-alive", "30", "--graceful-timeout", "10",
        *(["--access-logfile", "-"] if settings.log_level == "DEBUG" else []),
        "algo_service.wsgi:build()",
    ]


def main(argv: list[str] | None = None) -> None:
    from gunicorn.app.wsgiapp import run

    settings = Settings.from_env()
    sys.argv = gunicorn_argv(settings) + list(argv or [])
    run()
