"""The store against bare SQLAlchemy Core and against documents, on SQLite and PostgreSQL.

Targets (issue 11), each a ratio measured in the same run:

- ``store.append`` of one event (judge, write, tasks, commit) against a bare
  SQLAlchemy Core transaction that inserts one event row and updates one
  pathway row on the same database: ≤ 2×. Measured twice: with the pathway
  kept by the store that wrote it last (the usual case for one writer), and
  cold (the kept pathways dropped first, so each append reads the log and
  replays it inside the transaction, as after another process wrote).
- ``worklist`` time per returned item with 1,000,000 stored pathways within
  1.2× of with 10,000. The large stores are filled by bulk SQL straight into
  the pathway and task tables (synthetic ``schedule_block`` tasks, no event
  rows: the worklist never reads events); both windows return the same
  number of items.
- ``store.load`` ≤ 1.5× ``Pathway.from_json`` of the same document.

SQLite is a WAL file in a temporary directory (``synchronous`` FULL, the
store's default); PostgreSQL a server started for the run from the Debian
package (fsync on), over its Unix socket.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.journeys import T0, seed_journey
from benchmarks.timing import Figure, Target, interleave, ratio, spread
from facetcare import Pathway, Policy
from facetcare import events as ev
from facetcare.serialization import dump_event, dump_policy
from facetcare.store import Store
from facetcare.store._columns import to_micros

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

DAY_US = 86_400 * 1_000_000


@contextlib.contextmanager
def databases(which: str) -> Iterator[Any]:
    """A factory of fresh, empty database URLs on ``which`` ("sqlite" or "postgresql")."""
    with tempfile.TemporaryDirectory(prefix="facetcare-bench-") as folder:
        if which == "sqlite":
            yield lambda: f"sqlite:///{Path(folder) / uuid.uuid4().hex}.db"
            return
        from store_server import server

        with server(fsync=True) as base:
            admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")

            def fresh() -> str:
                name = f"b_{uuid.uuid4().hex[:12]}"
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"CREATE DATABASE {name}")
                return sa.make_url(base).set(database=name).render_as_string(False)

            try:
                yield fresh
            finally:
                admin.dispose()


# -- append ---------------------------------------------------------------------

BARE = sa.MetaData()
BARE_PATHWAYS = sa.Table("bare_pathways", BARE, sa.Column("id", sa.String, primary_key=True),
                         sa.Column("version", sa.Integer, nullable=False))
BARE_EVENTS = sa.Table("bare_events", BARE,
                       sa.Column("pathway_id", sa.String, primary_key=True),
                       sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
                       sa.Column("type", sa.String(40), nullable=False),
                       sa.Column("body", sa.JSON, nullable=False))


def _follow_up_ready(number: int) -> Pathway:
    """The seed journey up to sustained relief, where follow-ups may repeat."""
    events = seed_journey(number)[:-1]
    return Pathway.replay(events)


class AppendBench:
    def __init__(self, url: str, per_round: int) -> None:
        self.store = Store(url)
        self.bare = sa.create_engine(url)
        BARE.create_all(self.bare)
        self.per_round = per_round
        self.made = 0
        template = _follow_up_ready(0)
        self.event = ev.FollowUpRecorded(at=template.events[-1].at, pain_score=2)
        self.body = dump_event(self.event)

    def _fresh(self) -> list[tuple[str, int]]:
        made = []
        for _ in range(self.per_round):
            self.made += 1
            pw = _follow_up_ready(self.made)
            made.append((pw.pathway_id, self.store.add(pw)))
        return made

    def case(self, cold: bool) -> Any:
        def prepare() -> Any:
            # One untimed append each first: the store now keeps those pathways.
            ids = [(pathway_id, self.store.append(pathway_id, [self.event],
                                                  expected_version=version))
                   for pathway_id, version in self._fresh()]
            kept = self.store._kept  # the benchmark reaches in to measure both paths

            def timed() -> int:
                for pathway_id, version in ids:
                    if cold:
                        kept.clear()
                    self.store.append(pathway_id, [self.event], expected_version=version)
                return len(ids)

            def check() -> None:
                pathway_id, version = ids[-1]
                assert self.store.version(pathway_id) == version + 1

            return timed, check
        return prepare

    def bare_case(self) -> Any:
        def prepare() -> Any:
            ids = []
            with self.bare.begin() as conn:
                for _ in range(self.per_round):
                    self.made += 1
                    ids.append(f"bare-{self.made}")
                conn.execute(BARE_PATHWAYS.insert(), [{"id": i, "version": 12} for i in ids])

            def timed() -> int:
                for pathway_id in ids:
                    with self.bare.begin() as conn:
                        conn.execute(BARE_EVENTS.insert().values(
                            pathway_id=pathway_id, seq=12, type="FollowUpRecorded",
                            body=self.body))
                        conn.execute(BARE_PATHWAYS.update()
                                     .where(BARE_PATHWAYS.c.id == pathway_id,
                                            BARE_PATHWAYS.c.version == 12)
                                     .values(version=13))
                return len(ids)

            def check() -> None:
                with self.bare.connect() as conn:
                    version = conn.execute(sa.select(BARE_PATHWAYS.c.version)
                                           .where(BARE_PATHWAYS.c.id == ids[-1])).scalar()
                assert version == 13

            return timed, check
        return prepare

    def close(self) -> None:
        self.store.close()
        self.bare.dispose()


# -- load -------------------------------------------------------------------------


def load_cases(url: str, count: int) -> tuple[dict[str, Any], Store]:
    store = Store(url)
    documents = {}
    for number in range(count):
        pw = Pathway.replay(seed_journey(number))
        store.add(pw)
        documents[pw.pathway_id] = pw.to_json()

    def loading() -> Any:
        def timed() -> int:
            for pathway_id in documents:
                store.load(pathway_id)
            return len(documents)

        def check() -> None:
            pathway_id, text = next(iter(documents.items()))
            assert store.load(pathway_id)[0] == Pathway.from_json(text)

        return timed, check

    def reading() -> Any:
        def timed() -> int:
            for text in documents.values():
                Pathway.from_json(text)
            return len(documents)

        return timed, lambda: None

    return {"load": loading, "from_json": reading}, store


# -- worklist ---------------------------------------------------------------------

SPAN_US = 3650 * DAY_US  # synthetic tasks open over ten years


def fill(url: str, pathways: int) -> Store:
    """``pathways`` pathways in ``referred``, each with one task, by bulk SQL (see above)."""
    store = Store(url)
    step = SPAN_US // pathways
    t0 = to_micros(T0)
    sqlite = store.engine.dialect.name == "sqlite"
    if sqlite:
        numbers = ("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                   "WHERE i < :count - 1) ")
        when, source, policy, empty = ":t0 + i * :step", "FROM n", ":policy", "'[]'"
    else:
        numbers, policy, empty = "", "CAST(:policy AS json)", "CAST('[]' AS json)"
        when = ("timestamptz 'epoch' + (CAST(:t0 AS bigint) + CAST(i AS bigint) * "
                "CAST(:step AS bigint)) * interval '1 microsecond'")
        source = "FROM generate_series(0, :count - 1) AS g(i)"

    def named(prefix: str) -> str:
        return f"printf('{prefix}-%08d', i)" if sqlite else f"'{prefix}-' || lpad(i::text, 8, '0')"

    values = {"count": pathways, "t0": t0, "step": step}
    with store.engine.begin() as conn:
        conn.execute(sa.text(
            f"{numbers}INSERT INTO facetcare_pathways (pathway_id, patient_id, region, policy, "
            f"version, stage, last_event_at) SELECT {named('pw')}, {named('pt')}, 'lumbar', "
            f"{policy}, 1, 'referred', {when} {source}"), {**values, "policy": _policy_text()})
        conn.execute(sa.text(
            f"{numbers}INSERT INTO facetcare_tasks (pathway_id, position, patient_id, kind, "
            f"not_before, due_by, visit_id, detail, options, policy) SELECT {named('pw')}, 0, "
            f"{named('pt')}, 'schedule_block', {when}, NULL, NULL, "
            f"'book a diagnostic medial branch block', {empty}, 'seed' {source}"), values)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return store


def _policy_text() -> str:
    import json

    return json.dumps(dump_policy(Policy.seed()), separators=(",", ":"))


def worklist_cases(stores: dict[str, tuple[Store, int]], items: int) -> dict[str, Any]:
    import datetime as dt

    cases = {}
    for name, (store, pathways) in stores.items():
        step = SPAN_US // pathways
        end = T0 + dt.timedelta(microseconds=step * (items - 1))

        def prepare(store: Store = store, end: dt.datetime = end) -> Any:
            found: list[int] = []

            def timed() -> int:
                found.append(len(store.worklist(end, end)))
                return found[-1]

            def check() -> None:
                assert found == [items], found

            return timed, check

        cases[name] = prepare
    return cases


# -- the section ------------------------------------------------------------------


def _sizes(label: str) -> dict[str, int]:
    if label.startswith("full"):
        return {"append": 100, "load": 200, "rounds": 9, "small": 10_000,
                "large": 1_000_000, "items": 1000}
    if label.startswith("quick"):
        return {"append": 40, "load": 60, "rounds": 5, "small": 10_000, "large": 100_000,
                "items": 500}
    return {"append": 3, "load": 3, "rounds": 1, "small": 100, "large": 300, "items": 20}


def one_database(which: str, fresh: Any, sizes: dict[str, int], report: Any) -> None:
    rounds = sizes["rounds"]
    bench = AppendBench(fresh(), sizes["append"])
    try:
        samples = interleave({"append (kept)": bench.case(cold=False),
                              "append (cold)": bench.case(cold=True),
                              "bare transaction": bench.bare_case()}, rounds)
    finally:
        bench.close()
    for name, values in samples.items():
        report.figure(f"[{which}] {name}, per append", Figure.of(values))
    for name in ("append (kept)", "append (cold)"):
        report.target(Target(f"[{which}] store.{name} / bare Core transaction",
                             ratio(samples, name, "bare transaction"), 2.0,
                             note="p25–p75 {:.2f}–{:.2f}".format(
                                 *spread(samples, name, "bare transaction"))))

    cases, store = load_cases(fresh(), sizes["load"])
    try:
        samples = interleave(cases, rounds)
    finally:
        store.close()
    for name, values in samples.items():
        report.figure(f"[{which}] {name}, per 13-event pathway", Figure.of(values))
    report.target(Target(f"[{which}] store.load / Pathway.from_json",
                         ratio(samples, "load", "from_json"), 1.5))

    small, large = sizes["small"], sizes["large"]
    stores = {f"{small:,} pathways": (fill(fresh(), small), small),
              f"{large:,} pathways": (fill(fresh(), large), large)}
    try:
        samples = interleave(worklist_cases(stores, sizes["items"]), rounds * 3)
    finally:
        for store, _ in stores.values():
            store.close()
    names = list(stores)
    for name in names:
        report.figure(f"[{which}] worklist per item, {name}", Figure.of(samples[name]))
    report.target(Target(f"[{which}] worklist per item, {names[1]} / {names[0]}",
                         ratio(samples, names[1], names[0]), 1.2,
                         note=f"{sizes['items']} items returned in both"))


def section(config: Any, report: Any) -> None:
    sizes = _sizes(config.label)
    report.say(f"\n## store (facetcare.store on SQLite and PostgreSQL; {sizes['rounds']} rounds)")
    for which in ("sqlite", "postgresql"):
        try:
            with databases(which) as fresh:
                one_database(which, fresh, sizes, report)
        except Exception as error:  # a missing server is reported, not hidden
            from store_server import PostgresUnavailable

            if not isinstance(error, PostgresUnavailable):
                raise
            report.say(f"  [{which}] not measured: {error}")
