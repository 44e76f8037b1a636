"""The positive-block series, kept per nerve, at a cost that does not grow with it.

docs/rules.md#positive-block-series: each positive block records the nerves
it confirmed; a negative result takes away the nerves its block tested, a
neurotomy the nerves it treated, and a block left with none drops out. The
rules ask three things of it: how many blocks it holds, which nerves enough
of them confirm, and the baseline of the latest block confirming some
nerves. Scanning the blocks for each answer (or copying them for each new
one) made a log of many blocks cost the square of its length to replay.

`Series` answers all three from a count, the oldest and the newest block of
each nerve (there are a few dozen nerves in a region, however long the log),
and keeps the blocks newest first in linked cells that later values share.
Taking nerves away rebuilds only the blocks from the oldest one holding
them: after that no block holds them, so each block is rebuilt at most once
for each nerve until a newer block confirms that nerve again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import attrs

from facetcare.anatomy import Side

__all__ = ["EMPTY_SERIES", "Nerve", "PositiveBlock", "Series"]

#: A nerve on one side, e.g. ("L4 medial branch", Side.LEFT).
Nerve = tuple[str, Side]

#: A cell of the series: (the block's place in the order blocks were added,
#: the block, the cell of the block before it).
_Cell = tuple[int, "PositiveBlock", Any]


@attrs.frozen
class PositiveBlock:
    at: dt.datetime
    nerves: frozenset[Nerve]
    baseline: int


class Series(Sequence[PositiveBlock]):
    """The positive blocks of the series, oldest first; an immutable value.

    Equal to any sequence of the same blocks (a tuple included).
    """

    __slots__ = ("_blocks", "_count", "_first", "_head", "_latest", "_length", "_next")

    def __init__(self) -> None:
        self._head: _Cell | None = None
        self._length = 0
        #: The place the next block added takes.
        self._next = 0
        #: For each nerve some block confirms: how many do, the place of the
        #: oldest, and (place, baseline) of the newest.
        self._count: Mapping[Nerve, int] = {}
        self._first: Mapping[Nerve, int] = {}
        self._latest: Mapping[Nerve, tuple[int, int]] = {}
        self._blocks: tuple[PositiveBlock, ...] | None = ()

    def _evolved(self, head: _Cell | None, length: int, count: Mapping[Nerve, int],
                 first: Mapping[Nerve, int],
                 latest: Mapping[Nerve, tuple[int, int]]) -> Series:
        new: Series = Series.__new__(Series)
        new._head, new._length, new._next = head, length, self._next
        new._count, new._first, new._latest = count, first, latest
        new._blocks = None
        return new

    def with_block(self, block: PositiveBlock) -> Series:
        """The series with ``block`` added as its newest."""
        place = self._next
        count, first, latest = dict(self._count), dict(self._first), dict(self._latest)
        for nerve in block.nerves:
            count[nerve] = count.get(nerve, 0) + 1
            first.setdefault(nerve, place)
            latest[nerve] = (place, block.baseline)
        new = self._evolved((place, block, self._head), self._length + 1, count, first, latest)
        new._next = place + 1
        return new

    def without(self, nerves: frozenset[Nerve]) -> Series:
        """The series with ``nerves`` no longer confirmed; blocks left with none drop out."""
        held = [nerve for nerve in nerves if nerve in self._count]
        if not held:
            return self
        oldest = min(self._first[nerve] for nerve in held)
        popped: list[tuple[int, PositiveBlock]] = []
        cell = self._head
        while cell is not None and cell[0] >= oldest:
            popped.append((cell[0], cell[1]))
            cell = cell[2]
        length = self._length
        for place, block in reversed(popped):
            left = block.nerves - nerves
            if not left:
                length -= 1
                continue
            kept = block if left == block.nerves else PositiveBlock(block.at, left,
                                                                   block.baseline)
            cell = (place, kept, cell)
        # Blocks dropped held nothing but ``nerves``, so every other nerve keeps
        # its count, its oldest and its newest block.
        count = {n: c for n, c in self._count.items() if n not in nerves}
        first = {n: p for n, p in self._first.items() if n not in nerves}
        latest = {n: p for n, p in self._latest.items() if n not in nerves}
        return self._evolved(cell, length, count, first, latest)

    def confirmed(self, required: int) -> frozenset[Nerve]:
        """Nerves confirmed by at least ``required`` blocks (none while fewer blocks are held)."""
        if self._length < required:
            return frozenset()
        return frozenset(nerve for nerve, count in self._count.items() if count >= required)

    def latest_baseline(self, nerves: frozenset[Nerve]) -> int | None:
        """The baseline of the newest block confirming any of ``nerves``; None if none does."""
        found = [self._latest[nerve] for nerve in nerves if nerve in self._latest]
        return max(found)[1] if found else None

    def _tuple(self) -> tuple[PositiveBlock, ...]:
        blocks = self._blocks
        if blocks is None:
            newest_first = []
            cell = self._head
            while cell is not None:
                newest_first.append(cell[1])
                cell = cell[2]
            blocks = self._blocks = tuple(reversed(newest_first))
        return blocks

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> PositiveBlock: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[PositiveBlock, ...]: ...

    def __getitem__(self, index: int | slice) -> PositiveBlock | tuple[PositiveBlock, ...]:
        return self._tuple()[index]

    def __iter__(self) -> Iterator[PositiveBlock]:
        return iter(self._tuple())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and self._tuple() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return f"Series({list(self._tuple())!r})"


EMPTY_SERIES = Series()
