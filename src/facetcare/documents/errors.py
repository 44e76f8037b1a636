"""Turning cattrs' grouped errors into one `SerializationError` that names the place."""

from __future__ import annotations

import cattrs
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError
from cattrs.v import format_exception

from facetcare.errors import PathwayError, SerializationError

__all__ = ["describe"]


def _explain(error: BaseException, kind: type | None) -> str:
    """cattrs' summary plus the validator's own words ("has no UTC offset", …)."""
    summary = format_exception(error, kind)
    said = str(error)[:300]
    if isinstance(error, ValueError | TypeError) and said and said not in summary:
        return f"{summary}: {said}"
    return summary


def describe(error: Exception, where: str) -> SerializationError:
    """One error naming ``where`` (and each failing field below it)."""
    if isinstance(error, SerializationError):
        return error
    if isinstance(error, BaseValidationError):
        details = "; ".join(
            cattrs.transform_error(error, path=where, format_exception=_explain)[:10]
        )
        return SerializationError(details)
    if isinstance(error, ForbiddenExtraKeysError):
        extra = sorted(map(str, error.extra_fields))[:10]
        return SerializationError(f"{where}: unknown field(s) {extra}")
    if isinstance(error, PathwayError):
        return SerializationError(f"{where}: {error}")
    return SerializationError(f"{where}: {type(error).__name__}: {str(error)[:300]}")
