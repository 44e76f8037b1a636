"""What the command line needs beyond the core, and how to install it.

Kept apart from `facetcare.cli` (the entry point) and `facetcare._cli` (the
commands) so both can name it without importing each other.
"""

from __future__ import annotations

__all__ = ["CLI_PACKAGES", "EXTRA_HINT", "INSTALL"]

#: Packages of the ``cli`` extra; a missing one of these gets the hint.
CLI_PACKAGES = frozenset({"click", "rich", "matplotlib"})
INSTALL = "pip install 'facetcare[cli]'"
EXTRA_HINT = f"facetcare: the command line needs its extra: {INSTALL}"
