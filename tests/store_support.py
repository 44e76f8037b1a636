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


def assert_rows_agree(store: Any, pathway_id: str) -> None:
    """The pathway's stored document and tasks are exactly what its event rows replay to.

    Read straight from the tables (not through `Store.load`): the document
    equals ``Pathway.replay(rows).to_json()``, each row's digest is the hash
    chain's after it, the version is the number of rows, the task rows are
    ``due`` of the replayed pathway and the tasks digest is theirs (or NULL,
    unknown, in a store upgraded from version 3 and not appended to since).
    """
    import sqlalchemy as sa

    from facetcare import Pathway
    from facetcare.documents import event_digests, load_event, load_policy
    from facetcare.store import _schema as schema
    from facetcare.store._rows import tasks_digest

    p, e = schema.pathways.c, schema.events.c
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(p.policy, p.version, p.document, p.tasks_digest)
                           .where(p.pathway_id == pathway_id)).one()
        events = conn.execute(sa.select(e.seq, e.body, e.digest)
                              .where(e.pathway_id == pathway_id).order_by(e.seq)).all()
    assert [seq for seq, _, _ in events] == list(range(row.version))
    replayed = Pathway.replay([load_event(body) for _, body, _ in events],
                              policy=load_policy(row.policy))
    assert row.document == replayed.to_json()
    assert [digest for _, _, digest in events] == event_digests(replayed.policy, replayed.log)
    assert store.verify(pathway_id) == (replayed, row.version)
    assert store.load(pathway_id) == (replayed, row.version)
    due = replayed.due(replayed.log[-1].at)
    assert store.tasks(pathway_id) == due
    assert row.tasks_digest in (None, tasks_digest(due))
