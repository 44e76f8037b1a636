"""FHIR in and out: a pathway as a transaction Bundle (R4B or R5), and back.

```python
from facetcare.fhir import to_bundle, from_bundle, operation_outcome
bundle = to_bundle(pw, release="R4B")           # a JSON-ready dict
again = from_bundle(bundle, policy=pw.policy)   # again == pw
outcome = operation_outcome(rejected)           # a refusal as an OperationOutcome
```

The mapping (event → resource → field → code, with the source of every
code) and facetcare's extensions are documented in docs/fhir.md. Needs the
``fhir`` extra (fhir.resources 8.x, on pydantic).
"""

try:
    import fhir.resources  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        "facetcare.fhir needs fhir.resources: pip install 'facetcare[fhir]'",
        name="fhir.resources",
    ) from missing

from facetcare.coding import BilateralStyle
from facetcare.fhir._bundle import to_bundle
from facetcare.fhir._codes import BASE, RELEASES, Release
from facetcare.fhir._outcome import operation_outcome
from facetcare.fhir._read import from_bundle

__all__ = [
    "BASE",
    "RELEASES",
    "BilateralStyle",
    "Release",
    "from_bundle",
    "operation_outcome",
    "to_bundle",
]
