"""Gunicorn entrypoint: `gunicorn 'algo_service.wsgi:build()'`."""
from __future__ import annotations

from shared.logs import configure_logging
from shared.settings import Settings

from algo_service.app import create_app


def build():
    settings = Settings.from_env()
    configure_logging("algo_service", settings.log_level, settings.log_json, settings.secrets())
    return create_app(settings)
