"""How a worker process sends journeys back: plain values, rebuilt only when read.

Pickling `Journey` values as they are costs the worker about a third of
what simulating them does (every frozen attrs event goes through a Python
``__getstate__``, every datetime through its own reduce) and the caller
about a sixth to rebuild them, which left `simulate` on two processes
barely faster than on one. Here each event is flattened to its class's
index and its field values, datetimes become whole microseconds since the
epoch (exact), and diary entries and lesions, the most numerous nested
values, are flattened too, and so are targets, regions, the recorded
vocabularies (guidance, sedation, agent, modality, scale) and time zones:
only ints, floats, strings, None and tuples remain, which `marshal` writes
and reads at C speed without running any code. The caller keeps those bytes
and rebuilds a journey's events only when they are first read (see
`Journey.packed`).

Rebuilding sets exactly the fields the simulated events had, through the
classes' own ``__setstate__`` (their values were validated when the worker
built them). The events read back are therefore equal to the ones
simulated, field for field, time zone included.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import marshal
import operator
import typing
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from facetcare import events as ev
from facetcare.machine import Stage
from facetcare.simulation.journey import Journey
from facetcare.vocabulary import Agent, FunctionalScale, Guidance, Modality, Sedation

__all__ = ["Packed", "pack", "unpack_events", "unpacked"]

#: Every event class, by index: the index is what crosses between processes.
EVENT_CLASSES: tuple[type[ev.Event], ...] = tuple(
    cls for cls in vars(ev).values() if isinstance(cls, type) and issubclass(cls, ev.Event)
)
#: Fields holding a tuple of attrs values, flattened too.
NESTED: dict[tuple[type, str], type] = {
    (ev.ReliefDiaryRecorded, "entries"): ev.PainEntry,
    (ev.NeurotomyPerformed, "lesions"): ev.Lesion,
}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
#: How many shared values (target sets, lesions) a worker keeps the plain form of.
REMEMBERED = 4096

Row = tuple[Any, ...]
#: One journey as a worker sends it: (patient id, stage, stages, screened out,
#: minor complications, facet, marshalled (time zone, event rows)).
Packed = tuple[str, Stage, tuple[Stage, ...], int, int, bool, bytes]


Zone = tuple[int, str] | None


def _zone_code(zone: dt.tzinfo | None) -> Zone:
    """A fixed-offset zone as (offset in microseconds, name); events only carry those."""
    if zone is None:
        return None
    offset = zone.utcoffset(None)
    if not isinstance(zone, dt.timezone) or offset is None:
        raise TypeError(f"events carry fixed-offset times, got the zone {zone!r}")
    return (offset // MICROSECOND, zone.tzname(None))


def _zone(code: Zone) -> dt.timezone | None:
    if code is None:
        return None
    micros, name = code
    plain = dt.timezone(micros * MICROSECOND)
    return plain if plain.tzname(None) == name else dt.timezone(micros * MICROSECOND, name)


def _stamp(moment: dt.datetime, zone: dt.tzinfo | None) -> int | tuple[int, Zone, int]:
    """Microseconds since the epoch if ``moment`` is in ``zone``, else with its own zone."""
    since = (moment - EPOCH) // MICROSECOND
    if moment.tzinfo is zone and not moment.fold:
        return since
    return (since, _zone_code(moment.tzinfo), moment.fold)


def _moment(value: int | tuple[int, Zone, int], zone: dt.tzinfo | None) -> dt.datetime:
    if type(value) is int:
        return (EPOCH + value * MICROSECOND).astimezone(zone)
    since, own, fold = value  # type: ignore[misc]
    return (EPOCH + since * MICROSECOND).astimezone(_zone(own)).replace(fold=fold)


@functools.cache
def _target(joint: str, side: str) -> ev.Target:
    return ev.Target(joint, side)


def _by_identity(code: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``code`` for values that are shared, kept by each value's identity.

    A plan makes its target sets and lesions once and every journey reuses
    them, so one look-up by ``id`` replaces hashing them (their ``__hash__``
    runs in Python). An entry holds its value, so the id stays that value's;
    at `REMEMBERED` entries the memory is emptied.
    """
    known: dict[int, tuple[Any, Any]] = {}

    def remembered(value: Any) -> Any:
        hit = known.get(id(value))
        if hit is None:
            if len(known) >= REMEMBERED:
                known.clear()
            hit = known[id(value)] = (value, code(value))
        return hit[1]
    return remembered


def _target_code(target: ev.Target) -> tuple[str, str]:
    return (target.joint, target.side.value)


_targets_code = _by_identity(lambda targets: tuple([_target_code(t) for t in targets]))


#: Field types carried as plain values: (to plain, back).
CODECS: dict[Any, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    ev.Target: (_target_code, lambda c: _target(*c)),
    tuple[ev.Target, ...]: (_targets_code, lambda cs: tuple([_target(*c) for c in cs])),
    ev.Region: ({region: region.value for region in ev.Region}.__getitem__, ev.Region),
}


def _optional_member(kind: type[enum.Enum]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    # A dict lookup: reading ``.value`` runs the enum's Python descriptor every time.
    values: dict[Any, Any] = {member: member.value for member in kind}
    values[None] = None
    members = {member.value: member for member in kind}
    return (values.__getitem__, lambda c: None if c is None else members[c])


# The recorded vocabularies (docs/payer-rules.md): str enums, which marshal refuses as such.
for _kind in (Agent, FunctionalScale, Guidance, Modality, Sedation):
    CODECS[_kind | None] = _optional_member(_kind)


Flatten = Callable[[Any, "dt.tzinfo | None"], Row]


@attrs.frozen
class _Layout:
    """How an attrs class is flattened: its fields, which hold datetimes, which nest
    values, which are carried by a `CODECS` entry."""

    cls: type[Any]
    names: tuple[str, ...]
    stamps: tuple[int, ...]
    nested: tuple[tuple[int, _Layout], ...]
    coded: tuple[tuple[int, Any], ...]

    @classmethod
    def of(cls, kind: type) -> _Layout:
        hints = typing.get_type_hints(kind)
        names = tuple(field.name for field in attrs.fields(kind))
        return cls(kind, names,
                   tuple(i for i, name in enumerate(names) if hints[name] is dt.datetime),
                   tuple((i, cls.of(NESTED[kind, name]))
                         for i, name in enumerate(names) if (kind, name) in NESTED),
                   tuple((i, hints[name]) for i, name in enumerate(names)
                         if hints[name] in CODECS))

    def flattener(self) -> Flatten:
        """``value`` as a row of plain values; the common shapes get a quicker function."""
        names, stamps, nested = self.names, self.stamps, self.nested
        plain = [(i, CODECS[kind][0]) for i, kind in self.coded]
        if not nested and not stamps and not plain and len(names) > 1:
            get = operator.attrgetter(*names)
            return lambda value, _: get(value)
        if not nested and not plain and stamps == (0,) and len(names) > 1:
            rest = operator.attrgetter(*names[1:])
            if len(names) == 2:
                return lambda value, zone: (_stamp(value.at, zone), rest(value))
            return lambda value, zone: (_stamp(value.at, zone), *rest(value))
        inner = [(i, layout.many()) for i, layout in nested]
        every = operator.attrgetter(*names) if len(names) > 1 else (
            lambda value: (getattr(value, names[0]),))

        def flatten(value: Any, zone: dt.tzinfo | None) -> Row:
            row = list(every(value))
            for i in stamps:
                row[i] = _stamp(row[i], zone)
            for i, many in inner:
                row[i] = many(row[i], zone)
            for i, to_plain in plain:
                row[i] = to_plain(row[i])
            return tuple(row)
        return flatten

    def many(self) -> Callable[[tuple[Any, ...], dt.tzinfo | None], Row]:
        """A tuple of nested values as a tuple of rows, in one call.

        A value without times flattens the same in any zone, and such values
        are shared (a plan makes each lesion once): their rows are kept by
        identity, so a value met again costs one look-up.
        """
        one = self.flattener()
        if not self.stamps and not any(layout.stamps for _, layout in self.nested):
            row = _by_identity(lambda item: one(item, None))
            return lambda items, zone: tuple([row(item) for item in items])
        return lambda items, zone: tuple([one(item, zone) for item in items])

    def rebuild(self, row: Iterable[Any], zone: dt.tzinfo | None) -> Any:
        values = list(row)
        for i in self.stamps:
            values[i] = _moment(values[i], zone)
        for i, kind in self.coded:
            values[i] = CODECS[kind][1](values[i])
        for i, inner in self.nested:
            values[i] = tuple([inner.rebuild(item, zone) for item in values[i]])
        value = object.__new__(self.cls)
        value.__setstate__(dict(zip(self.names, values, strict=True)))
        return value


_LAYOUTS = [_Layout.of(cls) for cls in EVENT_CLASSES]
_FLATTEN = {cls: (index, layout.flattener())
            for index, (cls, layout) in enumerate(zip(EVENT_CLASSES, _LAYOUTS, strict=True))}


def pack(journey: Journey) -> Packed:
    """What a worker sends for ``journey``: its small fields, and its events as bytes."""
    events = journey.events
    zone = events[0].at.tzinfo if events else None
    flatten = _FLATTEN
    rows = []
    for event in events:
        index, row = flatten[type(event)]
        rows.append((index, row(event, zone)))
    return (journey.patient_id, journey.stage, journey.stages, journey.screened_out,
            journey.minor_complications, journey.facet,
            marshal.dumps((_zone_code(zone), tuple(rows))))


def unpack_events(data: bytes) -> tuple[ev.Event, ...]:
    """The events `pack` flattened, rebuilt."""
    code, rows = marshal.loads(data)
    zone = _zone(code)
    layouts = _LAYOUTS
    return tuple([layouts[index].rebuild(row, zone) for index, row in rows])


def unpacked(packed: Packed) -> Journey:
    """A `Journey` whose events are rebuilt from ``packed`` when first read."""
    patient_id, stage, stages, screened_out, minor_complications, facet, data = packed
    return Journey.packed(patient_id, data, stage=stage, stages=stages,
                          screened_out=screened_out, minor_complications=minor_complications,
                          facet=facet)
