"""``python -m labeltools``: the command line."""

from labeltools.cli import main

main()
