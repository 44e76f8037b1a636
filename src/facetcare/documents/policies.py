"""A policy in a document: every field, its shipped version, and nothing believed on trust.

The document carries the whole policy (every field required, extra keys
refused, so a missing field never silently takes a seed value) plus
``"version"``: the shipped profile's version when the policy is exactly that
profile (`Policy.version`), else ``null``.

Tamper evidence: a policy object that names a shipped profile and a version
must carry exactly that version's values, or it is refused, naming the
fields that differ. A policy with ``"version": null`` (a clinic's own, or
any policy from a schema @1 document, written before versions existed) is
loaded as recorded; its `Policy.version` is then None unless its values are
exactly the profile's, so nothing can pass for a shipped profile.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from facetcare.documents._values import DETAILED, FAST, fields_of, not_fast
from facetcare.documents.errors import describe
from facetcare.errors import SerializationError
from facetcare.policy import PROFILE_VERSIONS, Policy

__all__ = ["dump_policy", "load_policy"]

#: Values of shipped profile versions that are no longer current, as their
#: documents carried them: ``(name, version) → policy object``. Bumping a
#: value of a profile (and its `PROFILE_VERSIONS` entry) moves the old
#: values here, so documents naming the old version still load.
RETIRED: dict[tuple[str, int], dict[str, Any]] = {}

_FIELDS = fields_of(Policy)
_FIELDS_IN_ORDER = tuple(field.name for field in attrs.fields(Policy))
_KEYS = _FIELDS | {"version"}


# Built before the Policy hooks below are registered, which call these.
_UNSTRUCTURE = make_dict_unstructure_fn(Policy, DETAILED)
_STRUCTURE = make_dict_structure_fn(Policy, DETAILED, _cattrs_forbid_extra_keys=True)


def dump_policy(policy: Policy) -> dict[str, Any]:
    """The policy object: ``name``, ``version``, then every field in declaration order."""
    body: dict[str, Any] = _UNSTRUCTURE(policy)
    return {"name": body.pop("name"), "version": policy.version, **body}


@cache
def _shipped(name: str, version: int) -> dict[str, Any] | None:
    retired = RETIRED.get((name, version))
    if retired is not None:
        return retired
    if PROFILE_VERSIONS.get(name) != version:
        return None
    return dump_policy(Policy.profiles()[name])


def _check_version(data: dict[str, Any], where: str) -> None:
    """A policy naming a shipped profile and version must carry exactly its values."""
    version = data.get("version")
    if version is None:
        return
    name = data.get("name")
    if type(version) is not int or version < 1:
        raise SerializationError(f"{where}.version: expected a profile version (an int >= 1) "
                                 f"or null, got {version!r}"[:200])
    shipped = _shipped(name, version) if type(name) is str else None
    if shipped is None:
        raise SerializationError(
            f"{where}.version: {name!r} version {version} is not a shipped profile; a "
            "clinic's own policy has version null"[:300]
        )
    differ = [key for key in shipped if key not in data or data[key] != shipped[key]
              or type(data[key]) is not type(shipped[key])]
    differ += sorted((key for key in data if key not in shipped), key=repr)
    if differ:
        raise SerializationError(
            f"{where}: names the shipped profile {name} version {version} but its values "
            f"differ ({', '.join(map(str, differ[:8]))}); refused as tampered"
        )


#: Policies already read, by their exact document text. A `Policy` is
#: frozen and a system uses a handful, so documents under one policy share one.
POLICIES: dict[str, Policy] = {}
POLICIES_MAX = 64


def fast_policy(raw: object, text: str) -> Policy:
    """The policy of a document in facetcare's layout (pair tuples), cached by its text."""
    known = POLICIES.get(text)
    if known is not None:
        return known
    if type(raw) is not tuple:
        return not_fast(raw)
    data = dict(raw)
    if len(data) != len(raw) or data.keys() != _KEYS:
        return not_fast(raw)
    policy = load_policy(data)
    if len(POLICIES) >= POLICIES_MAX:
        POLICIES.clear()
    POLICIES[text] = policy
    return policy


def load_policy(data: object, where: str = "$.policy") -> Policy:
    """Every field is required and extra keys are refused (no silent seed values).

    ``"version"`` may be absent (a dict from an older `dump_policy`) or null;
    if set it must name a shipped profile whose values ``data`` carries exactly.
    """
    if not isinstance(data, dict):
        raise SerializationError(f"{where}: the policy must be an object")
    _check_version(data, where)
    missing = [name for name in _FIELDS_IN_ORDER if name not in data]
    if missing:
        raise SerializationError(f"{where}: missing policy field(s) {missing[:10]} (every "
                                 "field is required: none silently takes a default)")
    fields = {key: value for key, value in data.items() if key != "version"}
    try:
        policy: Policy = _STRUCTURE(fields, Policy)
    except Exception as error:
        raise describe(error, where) from None
    return policy


def _structure_policy(value: object, _: type) -> Policy:
    if type(value) is tuple:
        data = dict(value)
        if len(data) != len(value):
            return not_fast(value)
        value = data
    return load_policy(value, "policy")


# A policy inside an event (a change of payer) is read the same way, with
# the same tamper check; cattrs' generic attrs reading is bypassed.
DETAILED.register_structure_hook(Policy, _structure_policy)
FAST.register_structure_hook(Policy, _structure_policy)
DETAILED.register_unstructure_hook(Policy, dump_policy)
