"""What the simulator's entry points refuse, and what a failed run leaves on disk.

Cohort files may come from anyone (`read_jsonl`), targets and arguments from
any caller: each wrong one is refused up front with an error that names it,
and `write_cohort` writes a file only when the whole run has succeeded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from facetcare import Policy, SerializationError
from facetcare._validate import EARLIEST, LATEST
from facetcare.simulation import CohortParams, read_jsonl, simulate, summarize, write_cohort
from facetcare.simulation.arguments import LAST_END
from facetcare.simulation.export import write_csv, write_jsonl
from facetcare.simulation.walk import simulate_patient

HORIZON = dt.timedelta(days=3 * 365)
RUNS: dict[str, Callable[..., Any]] = {"simulate": simulate, "summarize": summarize,
                                       "write_cohort": write_cohort}


def cohort_lines(n: int = 3, seed: int = 5) -> list[str]:
    buffer = io.StringIO()
    simulate(n, seed, workers=1).to_jsonl(buffer)
    return buffer.getvalue().splitlines(keepends=True)


def read(text: str) -> list[tuple[str, tuple[object, ...]]]:
    return list(read_jsonl(io.StringIO(text)))


class BytesPath:
    """An ``os.PathLike`` whose path is bytes."""

    def __fspath__(self) -> bytes:
        return b"cohort.jsonl"


# -- read_jsonl ---------------------------------------------------------------------


def test_a_referral_under_another_patients_id_is_refused() -> None:
    lines = cohort_lines()
    record = json.loads(lines[0])
    assert record["patient_id"] == "pt-000001" and record["event"]["type"] == "Referred"
    record["event"]["patient_id"] = "pt-000002"
    tampered = json.dumps(record) + "\n"
    with pytest.raises(SerializationError, match=re.escape(
            "line 1: the event's patient_id 'pt-000002' differs from the line's 'pt-000001'")):
        read(tampered + "".join(lines[1:]))


def test_a_patient_renamed_on_its_lines_only_is_refused_at_its_referral() -> None:
    lines = cohort_lines()
    renamed = [line.replace('{"patient_id":"pt-000002"', '{"patient_id":"pt-000009"')
               for line in lines]
    number = next(i for i, line in enumerate(renamed, start=1) if "pt-000009" in line)
    with pytest.raises(SerializationError, match=f"line {number}: the event's patient_id "
                                                 "'pt-000002' differs from the line's "
                                                 "'pt-000009'"):
        read("".join(renamed))
    assert [patient for patient, _ in read("".join(lines))] == [
        "pt-000001", "pt-000002", "pt-000003"]


@pytest.mark.parametrize("deep", ["[" * 100_000, '{"a":' * 5000,
                                  '{"patient_id":"pt-000001","event":' + "[" * 100_000])
def test_deeply_nested_json_is_refused_by_line_not_a_recursion_error(deep: str) -> None:
    first = cohort_lines(1)[0]
    with pytest.raises(SerializationError, match=r"line 2: .*nested deeper than the parser"):
        read(first + deep + "\n")


@pytest.mark.parametrize(("line", "said"), [
    ('{"patient_id":"pt-000001","patient_id":"pt-000002","event":{}}', "given twice"),
    ('{"patient_id":"pt-000001","event":{"type":"FollowUpRecorded","at":"2026-01-05T08:00'
     ':00+00:00","pain_score":NaN}}', "NaN"),
])
def test_a_line_is_read_as_strictly_as_a_document(line: str, said: str) -> None:
    # A repeated key would be read as its last value: one line, two patients.
    with pytest.raises(SerializationError, match=rf"line 1: .*{said}"):
        read(line + "\n")


@pytest.mark.parametrize("depth", [500, 900])
def test_an_event_nested_as_deep_as_the_parser_goes_is_a_serialization_error(
    depth: int,
) -> None:
    line = ('{"patient_id":"pt-000001","event":{"type":"Referred","at":'
            + "[" * depth + "]" * depth + "}}\n")
    with pytest.raises(SerializationError, match=r"line 1: \$\.event.*nested deeper"):
        read(line)


@pytest.mark.parametrize(("source", "shown"), [(None, "NoneType"), (123, "int"),
                                               (b"cohort.jsonl", "bytes"),
                                               (bytearray(b"x"), "bytearray"),
                                               (BytesPath(), "BytesPath")])
def test_a_source_that_is_no_path_or_file_is_refused_at_the_call(
    source: object, shown: str
) -> None:
    with pytest.raises(TypeError, match=f"source must be a path or a text file, got {shown}"):
        read_jsonl(source)  # type: ignore[arg-type]  # not iterated: refused at the call


def test_paths_and_files_are_still_read(tmp_path: Path) -> None:
    text = "".join(cohort_lines())
    (tmp_path / "c.jsonl").write_text(text, encoding="utf-8")
    expected = read(text)
    assert list(read_jsonl(tmp_path / "c.jsonl")) == expected
    assert list(read_jsonl(str(tmp_path / "c.jsonl"))) == expected
    with open(tmp_path / "c.jsonl", encoding="utf-8") as handle:
        assert list(read_jsonl(handle)) == expected


@pytest.mark.parametrize(("line", "said"), [
    ('{"patient_id":"pt-000001","event":{},"extra":1}',
     "line 1: unexpected key 'extra' (a line holds only 'patient_id' and 'event')"),
    ('{"patient_id":"pt-000001"}',
     "line 1: missing key 'event' (a line holds only 'patient_id' and 'event')"),
    ('{"patient":"pt-000001","event":{},"at":1}',
     "line 1: unexpected keys 'patient', 'at'; missing key 'patient_id'"),
    ("[1, 2]", "line 1: expected an object with 'patient_id' and 'event', got list"),
])
def test_a_line_with_the_wrong_keys_names_them(line: str, said: str) -> None:
    with pytest.raises(SerializationError, match=re.escape(said)):
        read(line + "\n")


# -- writing targets ------------------------------------------------------------------


@pytest.mark.parametrize("target", [123, None, 4.5, object()])
def test_a_target_with_no_write_is_a_type_error_naming_it(target: Any) -> None:
    c = simulate(2, 1, workers=1)
    shown = type(target).__name__
    writes: list[Callable[[], None]] = [
        lambda: write_jsonl(c.journeys, target), lambda: write_csv(c.facts(), target),
        lambda: c.to_jsonl(target), lambda: c.to_csv(target)]
    for write in writes:
        with pytest.raises(TypeError, match=f"target must be a path or a text file, got {shown}"):
            write()
    if target is None:
        return  # write_cohort's jsonl=None and csv=None mean "no such file"
    with pytest.raises(TypeError, match=f"jsonl must be a path or a text file, got {shown}"):
        write_cohort(2, 1, workers=1, jsonl=target)
    with pytest.raises(TypeError, match=f"csv must be a path or a text file, got {shown}"):
        write_cohort(2, 1, workers=1, csv=target)


def test_bytes_paths_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    c = simulate(2, 1, workers=1)
    path = os.fsencode(tmp_path / "out.jsonl")
    with pytest.raises(TypeError, match="target must be a path or a text file, got bytes"):
        c.to_jsonl(path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="csv must be a path or a text file, got bytes"):
        write_cohort(2, 1, jsonl=tmp_path / "ok.jsonl", csv=path)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# -- write_cohort ---------------------------------------------------------------------


def test_jsonl_and_csv_naming_one_file_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.out").symlink_to(tmp_path / "same.out")
    seen: list[int] = []
    for other in (tmp_path / "sub" / ".." / "same.out", tmp_path / "link.out"):
        with pytest.raises(ValueError, match="jsonl and csv name the same file"):
            write_cohort(10, 1, jsonl=tmp_path / "same.out", csv=other, progress=seen.append)
    assert seen == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.out", "sub"]


def test_a_bad_second_target_fails_before_the_run_and_leaves_no_file(tmp_path: Path) -> None:
    seen: list[int] = []
    with pytest.raises(FileNotFoundError, match="nodir"):
        write_cohort(30, 1, jsonl=tmp_path / "ok.jsonl", csv=tmp_path / "nodir" / "x.csv",
                     progress=seen.append, workers=1)
    assert seen == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("raised", [RuntimeError, KeyboardInterrupt])
def test_a_run_that_fails_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path: Path, raised: type[BaseException]
) -> None:
    old = tmp_path / "cohort.csv"
    old.write_text("the previous run\n", encoding="utf-8")
    seen: list[int] = []

    def progress(done: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise raised("stop")

    with pytest.raises(raised):
        write_cohort(30, 1, jsonl=tmp_path / "cohort.jsonl", csv=old, chunk_size=10,
                     workers=1, progress=progress)
    assert seen == [10, 10]
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.csv"]  # no .part left
    assert old.read_text(encoding="utf-8") == "the previous run\n"


def test_a_run_that_succeeds_replaces_the_files_with_the_cohorts(tmp_path: Path) -> None:
    old = tmp_path / "cohort.csv"
    old.write_text("the previous run\n", encoding="utf-8")
    old.chmod(0o640)
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "cohort.jsonl")
    write_cohort(30, 1, jsonl=tmp_path / "link.jsonl", csv=old, chunk_size=10, workers=1)
    c = simulate(30, 1, workers=1)
    jsonl, csv = io.StringIO(), io.StringIO()
    c.to_jsonl(jsonl)
    c.to_csv(csv)
    assert (tmp_path / "cohort.jsonl").read_text(encoding="utf-8") == jsonl.getvalue()
    assert old.read_text(encoding="utf-8") == csv.getvalue()
    assert stat.S_IMODE(old.stat().st_mode) == 0o640  # a replaced file keeps its mode
    assert (tmp_path / "link.jsonl").is_symlink()  # written through, not replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv", "cohort.jsonl",
                                                          "link.jsonl"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_is_written_to_not_replaced() -> None:
    write_cohort(5, 1, jsonl="/dev/null", csv=os.devnull, workers=1)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    write_cohort(5, 1, jsonl=pipe, workers=1)
    reader.join(timeout=30)
    assert received == ["".join(cohort_lines(5, 1))]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


@pytest.mark.parametrize("run", sorted(RUNS))
def test_a_progress_that_cannot_be_called_is_refused_before_any_work(
    run: str, tmp_path: Path
) -> None:
    extra = {"jsonl": tmp_path / "c.jsonl"} if run == "write_cohort" else {}
    with pytest.raises(TypeError, match="progress must be None or a callable"):
        RUNS[run](10, 1, progress=3, **extra)
    assert list(tmp_path.iterdir()) == []


# -- arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(("argument", "value", "error", "said"), [
    ("n", "5", TypeError, "n must be an int, got '5'"),
    ("n", 5.0, TypeError, "n must be an int, got 5.0"),
    ("n", True, TypeError, "n must be an int, got True"),
    ("n", -1, ValueError, "n must be a non-negative int, got -1"),
    ("chunk_size", 2.5, TypeError, "chunk_size must be an int or None, got 2.5"),
    ("chunk_size", "3", TypeError, "chunk_size must be an int or None"),
    ("chunk_size", 0, ValueError, "chunk_size must be a positive int or None, got 0"),
    ("workers", 1.0, TypeError, "workers must be an int or None"),
    ("workers", 0, ValueError, "workers must be a positive int or None"),
    ("horizon", 30, TypeError, "horizon must be a datetime.timedelta"),
    ("horizon", -HORIZON, ValueError, "horizon must be a non-negative timedelta"),
    ("start", "2026-01-05", TypeError, "start must be a datetime"),
    ("start", dt.datetime(2026, 1, 5), ValueError, "start must be timezone-aware"),
])
@pytest.mark.parametrize("run", sorted(RUNS))
def test_each_argument_is_refused_by_kind_and_by_value(
    run: str, argument: str, value: object, error: type[Exception], said: str
) -> None:
    arguments: dict[str, object] = {"n": 5, "seed": 1, argument: value}
    with pytest.raises(error, match=re.escape(said)):
        RUNS[run](**arguments)


@pytest.mark.parametrize(("start", "horizon", "said"), [
    (dt.datetime.max.replace(tzinfo=dt.UTC), HORIZON, "start must be between"),
    (dt.datetime(2026, 1, 5, tzinfo=dt.UTC), dt.timedelta.max,
     "start + horizon must be on or before 8000-01-01T00:00:00+00:00"),
    (dt.datetime(8999, 1, 1, tzinfo=dt.UTC), HORIZON, "start + horizon must be on or before"),
    (LAST_END - HORIZON + dt.timedelta(microseconds=1), HORIZON,
     "start + horizon must be on or before"),
    (EARLIEST - dt.timedelta(seconds=1), HORIZON, "start must be between"),
])
@pytest.mark.parametrize("run", sorted(RUNS))
def test_a_run_outside_the_calendar_is_refused_up_front(
    run: str, start: dt.datetime, horizon: dt.timedelta, said: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        RUNS[run](5, 1, start=start, horizon=horizon)


def test_a_run_may_end_at_the_last_end_and_books_past_it() -> None:
    start = LAST_END - HORIZON
    c = simulate(1000, 2, start=start, horizon=HORIZON, workers=1)
    assert max(e.at for j in c.journeys for e in j.events) <= LAST_END
    # Visits are booked past the horizon, which is why the last end is not LATEST.
    booked = [e.visit_at for j in c.journeys for e in j.events if hasattr(e, "visit_at")]
    assert max(booked) > LAST_END
    summarize(1000, 3, start=start, horizon=HORIZON, workers=1)


def test_a_walk_ending_at_the_calendars_end_would_need_times_past_it() -> None:
    params, policy = CohortParams.lumbar(), Policy.seed()
    with pytest.raises(ValueError, match="must be between"):  # from an event, mid-walk
        for index in range(300):
            simulate_patient(index, seed=1, params=params, policy=policy,
                             start=LATEST - HORIZON, horizon=HORIZON)


def test_a_run_may_start_at_the_earliest_time() -> None:
    c = simulate(200, 2, start=EARLIEST, horizon=HORIZON, workers=1)
    assert min(e.at for j in c.journeys for e in j.events) == EARLIEST


@pytest.mark.parametrize("shape", [0.01, 0.05, 0.4])
def test_a_relief_shape_near_zero_draws_no_date_past_the_calendar(shape: float) -> None:
    # A small Weibull shape puts far-tail draws centuries (or past float range) away; a
    # relief is capped at a century, so a run ending at the last end still fits.
    import attrs

    from facetcare.simulation.draws import Draws
    from facetcare.simulation.patient import LONGEST_RELIEF_DAYS, Patient, neurotomy_outcome

    params = attrs.evolve(CohortParams.lumbar(), relief_shape=shape, sham_relief_shape=shape)
    draw = Draws(3, 0, "tail")
    days = [neurotomy_outcome(draw, Patient(facet, 0.0), params, repeat).days
            for facet in (True, False) for repeat in (False, True) for _ in range(2000)]
    assert max(days) <= LONGEST_RELIEF_DAYS and min(days) >= 0
    if shape < 0.1:
        assert max(days) == LONGEST_RELIEF_DAYS
    c = simulate(300, 4, params=params, start=LAST_END - HORIZON, horizon=HORIZON, workers=1)
    assert max(e.at for j in c.journeys for e in j.events) <= LAST_END


# -- enormous counts ---------------------------------------------------------------------


def test_a_run_holds_its_chunks_lazily_whatever_its_size() -> None:
    from facetcare.simulation.runner import _chunks

    chunks, _, _ = _chunks(10**15, 1, params=None, policy=None, chunk_size=1000,
                           horizon=HORIZON, start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not isinstance(chunks, list | tuple)
    assert len(chunks) == 10**12
    last = chunks[-1]
    assert (last.start_index, last.stop_index) == (10**15 - 1000, 10**15)
    small, _, _ = _chunks(2500, 1, params=None, policy=None, chunk_size=1000,
                          horizon=HORIZON, start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert [(c.start_index, c.stop_index) for c in small] == [(0, 1000), (1000, 2000),
                                                               (2000, 2500)]
    assert list(small[1:]) == list(small)[1:]
    with pytest.raises(IndexError):
        small[3]


def test_an_enormous_count_of_replications_is_refused_before_any_cohort() -> None:
    from facetcare.simulation.replicate import MAX_REPLICATIONS, replicate
    from facetcare.simulation.validation import validate

    for run in (lambda r: replicate(10, 1, r), lambda r: validate(n=10, replications=r)):
        with pytest.raises(ValueError, match="replications must be at most"):
            run(MAX_REPLICATIONS + 1)
    with pytest.raises(ValueError, match="n must be"):
        replicate(-1, 1, 2)


@pytest.mark.parametrize("command", ["simulate", "validate"])
def test_the_cli_refuses_enormous_replications_at_once(command: str) -> None:
    from click.testing import CliRunner

    from facetcare.cli import cli
    from facetcare.simulation.replicate import MAX_REPLICATIONS

    result = CliRunner().invoke(cli, [command, "-n", "20", "--replications",
                                      str(MAX_REPLICATIONS + 1)])
    assert result.exit_code == 2
    assert "--replications" in result.output and "Traceback" not in result.output
