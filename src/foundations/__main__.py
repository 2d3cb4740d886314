"""``python -m foundations``: the ``foundations`` command."""

from foundations.cli import main

main()
