"""Run the command line with ``python -m audit_kit``."""

from audit_kit.cli import main

main()
