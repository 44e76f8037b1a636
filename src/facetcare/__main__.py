"""``python -m facetcare``: the same command line as the ``facetcare`` script."""

from facetcare.cli import main

main()
