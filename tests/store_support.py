"""pytest plugin for the store's tests: the same tests on SQLite and on a real PostgreSQL.

``store_url`` is parametrized: a SQLite file in ``tmp_path`` (WAL), and a
fresh database on a PostgreSQL server that this plugin starts itself (see
`store_server`) once per test process and stops at the end. Where
PostgreSQL cannot run, its cases skip with a one-line reason; under
``CI=true`` they fail instead, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

DATABASES = ("sqlite", "postgresql")


def unavailable(reason: str) -> None:
    """Skip (fail under CI=true) a test that needs what is missing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a skipped PostgreSQL test is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The base URL of a PostgreSQL server running for this test session."""
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg")
    from store_server import PostgresUnavailable, server

    try:
        context = server()
        base = context.__enter__()
    except PostgresUnavailable as missing:
        unavailable(" ".join(str(missing).split())[:300])
        return
    try:
        yield base
    finally:
        context.__exit__(None, None, None)


def fresh_postgres_database(base: str) -> tuple[str, Any]:
    """A new empty database on the server; (its URL, a function that drops it)."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()

    return url, drop


@pytest.fixture(params=DATABASES)
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database of its own."""
    pytest.importorskip("sqlalchemy")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = request.getfixturevalue("postgres_server")
    url, drop = fresh_postgres_database(base)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(store_url: str) -> Iterator[Any]:
    """A `Store` on ``store_url``, closed after the test."""
    from facetcare.store import Store

    opened = Store(store_url)
    try:
        yield opened
    finally:
        opened.close()
