"""Growing collections that share their past: what `Facts` keeps of a long log.

Every accepted event makes a new `facetcare.facts.Facts` and leaves the old
one as it was. A tuple or dict copied into each new value costs as much as
everything recorded before it, so a log of n visits cost n² to replay (a
document of 16,000 booked and cancelled visits took half a minute to read).
These two keep their items in layers, oldest first, each layer at least
twice the size of the next: adding an item makes a layer of one and merges
it into smaller neighbours, so an item is copied about log₂ n times in all,
and old values keep the layers they had (no layer is ever changed).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

__all__ = ["Appended", "Registry"]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def _stacked(layers: tuple[Any, ...], new: Any, merge: Any) -> tuple[Any, ...]:
    """``layers`` with ``new`` on top, merged down until each is twice the next."""
    while layers and len(layers[-1]) < 2 * len(new):
        new = merge(layers[-1], new)
        layers = layers[:-1]
    return (*layers, new)


def _joined(older: tuple[Any, ...], newer: tuple[Any, ...]) -> tuple[Any, ...]:
    return older + newer


class Appended(Sequence[T], Generic[T]):
    """An immutable sequence that grows at its end, sharing what it had.

    Equal to any sequence with the same items in the same order (a tuple
    included). Reading the last item is immediate; any other index walks
    the layers (at most log₂ n).
    """

    __slots__ = ("_layers", "_length")

    def __init__(self, items: Iterable[T] = ()) -> None:
        first = tuple(items)
        self._layers: tuple[tuple[T, ...], ...] = (first,) if first else ()
        self._length = len(first)

    def appended(self, *items: T) -> Appended[T]:
        """A new sequence with ``items`` at the end; this one is unchanged."""
        if not items:
            return self
        grown: Appended[T] = Appended.__new__(Appended)
        grown._layers = _stacked(self._layers, items, _joined)
        grown._length = self._length + len(items)
        return grown

    def count_at_most(self, value: Any) -> int:
        """How many items are at most ``value``, the items being in order (bisection per layer)."""
        return sum(bisect_right(layer, value) for layer in self._layers)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        length = self._length
        if index == -1 and length:
            return self._layers[-1][-1]
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("index out of range")
        for layer in self._layers:
            if index < len(layer):
                return layer[index]
            index -= len(layer)
        raise AssertionError("unreachable: the layers hold every index")  # pragma: no cover

    def __iter__(self) -> Iterator[T]:
        for layer in self._layers:
            yield from layer

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Appended({list(self)!r})"


class Registry(Mapping[K, V], Generic[K, V]):
    """An immutable mapping that grows by new keys, in the order they came, sharing its past.

    Looking a key up asks each layer, newest first (at most log₂ n of them).
    Equal to any mapping with the same items, as mappings are.
    """

    __slots__ = ("_layers", "_length")

    def __init__(self) -> None:
        self._layers: tuple[dict[K, V], ...] = ()
        self._length = 0

    def added(self, key: K, value: V) -> Registry[K, V]:
        """A new mapping that also maps ``key`` to ``value``; this one is unchanged.

        A key already present takes the new value in its old place (one copy
        of everything: the pathway never registers a key twice).
        """
        grown: Registry[K, V] = Registry.__new__(Registry)
        layers = self._layers
        for layer in layers:
            if key in layer:
                grown._layers = ({**dict(self.items()), key: value},)
                grown._length = self._length
                return grown
        grown._layers = _stacked(layers, {key: value}, _merged)
        grown._length = self._length + 1
        return grown

    def __getitem__(self, key: K) -> V:
        for layer in reversed(self._layers):
            if key in layer:
                return layer[key]
        raise KeyError(key)

    def get(self, key: K, default: Any = None) -> Any:
        for layer in reversed(self._layers):
            if key in layer:
                return layer[key]
        return default

    def __contains__(self, key: object) -> bool:
        return any(key in layer for layer in self._layers)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[K]:
        for layer in self._layers:
            yield from layer

    def __repr__(self) -> str:
        return f"Registry({dict(self.items())!r})"


def _merged(older: dict[Any, Any], newer: dict[Any, Any]) -> dict[Any, Any]:
    return {**older, **newer}
