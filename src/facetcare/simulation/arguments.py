"""The checks a run's arguments pass before any patient is simulated or any file opened.

A value of the wrong kind is a ``TypeError`` and a value of the right kind
out of range a ``ValueError``, each naming the argument, so a mistake in a
call for a million patients costs nothing and says what to change, rather
than failing deep in the walk (an ``OverflowError`` from date arithmetic)
or after minutes of work.
"""

from __future__ import annotations

import datetime as dt

from facetcare._validate import LATEST, require_aware, show

__all__ = ["LAST_END", "check_count", "check_progress", "check_times"]

#: The latest ``start + horizon`` a run accepts: 1,000 years before `LATEST`, the end of
#: the supported calendar. A walk builds its next event before it finds that event past
#: the horizon, and it books visits that fall after the horizon, so a journey needs room
#: beyond its end: a visit waits at most a policy's longest duration (a century,
#: `facetcare._validate.MAX_DURATION`), and a relief lasts at most a century
#: (`facetcare.simulation.patient.LONGEST_RELIEF_DAYS`), whatever its Weibull shape.
LAST_END = dt.datetime(8000, 1, 1, tzinfo=dt.UTC)


def check_count(name: str, value: object, *, positive: bool, optional: bool = False) -> None:
    """``value`` is an int (not a bool), at least 1 if ``positive``; or None if ``optional``."""
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int{' or None' if optional else ''}, "
                        f"got {show(value)}")
    if value < (1 if positive else 0):
        raise ValueError(f"{name} must be a {'positive' if positive else 'non-negative'} int"
                         f"{' or None' if optional else ''}, got {show(value)}")


def check_progress(progress: object) -> None:
    """``progress`` is None or callable: it is first called only after a chunk's work."""
    if progress is not None and not callable(progress):
        raise TypeError("progress must be None or a callable taking the number of journeys "
                        f"done, got {show(progress)}")


def check_times(start: object, horizon: object) -> None:
    """``start`` aware and ``start + horizon`` inside the calendar a run has room in.

    The end is checked against `LAST_END`, not `LATEST`: see `LAST_END` for why.
    """
    if not isinstance(horizon, dt.timedelta):
        raise TypeError(f"horizon must be a datetime.timedelta, got {show(horizon)}")
    if horizon < dt.timedelta(0):
        raise ValueError(f"horizon must be a non-negative timedelta, got {horizon!r}")
    require_aware("start", start)
    assert isinstance(start, dt.datetime)
    try:
        end: dt.datetime | None = start + horizon
    except OverflowError:  # past datetime.max
        end = None
    if end is None or end > LAST_END:
        got = "a time past year 9999" if end is None else end.isoformat()
        raise ValueError(
            f"start + horizon must be on or before {LAST_END.isoformat()} (the supported "
            f"calendar ends at {LATEST.isoformat()}, and a run places visits and relief "
            f"past its horizon), got {got}"
        )
