"""Validators and converters for `CohortParams` fields (kept apart to keep params short)."""

from __future__ import annotations

import math
from typing import Any

import attrs

from facetcare.anatomy import normalise_joint

__all__ = ["MAX_DAYS", "MAX_LESIONS", "as_tuple", "at_most", "days", "int_range", "joints",
           "non_negative", "positive", "probability", "source"]

#: Upper bounds (assumptions, far beyond any cited value): there so that no draw
#: overflows the calendar or exhausts memory, refused at construction instead.
MAX_DAYS = 3650  # ten years between two steps, or of relief
MAX_LESIONS = 100


def probability(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a probability (a number), got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def positive(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be positive and finite, got {value}")


def non_negative(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 <= value < math.inf:
        raise ValueError(f"{attribute.name} must be non-negative and finite, got {value}")


def int_range(low: int, high: float = math.inf) -> Any:
    """A validator for an inclusive ``(lo, hi)`` pair of whole numbers in ``low..high``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if (
            not isinstance(value, tuple)
            or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
        ):
            raise TypeError(f"{attribute.name} must be a (low, high) pair of ints, got {value!r}")
        if not low <= value[0] <= value[1] <= high:
            bound = "" if high == math.inf else f" <= {high:g}"
            raise ValueError(
                f"{attribute.name} must satisfy {low} <= low <= high{bound}, got {value!r}"
            )

    return check


def at_most(high: float) -> Any:
    """A validator for a number no larger than ``high`` (used beside `positive` and co)."""

    def check(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, int | float) and value > high:
            raise ValueError(f"{attribute.name} must be at most {high:g}, got {value:g}"[:200])

    return check


def days(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not value:
        raise TypeError(f"{attribute.name} must be a non-empty tuple of day counts")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_DAYS
           for v in value):
        raise ValueError(f"{attribute.name} must hold whole days from 1 to {MAX_DAYS}, "
                         f"got {value!r}"[:200])
    if list(value) != sorted(set(value)):
        raise ValueError(f"{attribute.name} must be strictly increasing, got {value!r}")


def as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def joints(value: Any) -> Any:
    value = as_tuple(value)
    if isinstance(value, tuple):
        return tuple(normalise_joint(j) if isinstance(j, str) else j for j in value)
    return value


def source(text: str) -> dict[str, str]:
    return {"source": text}
