"""Command line: parse arguments, call one library function, print, map errors to exit codes.

Exit codes: 0 success; 2 bad input or usage (one located line per problem on stderr);
1 is left to real bugs, which show a traceback. Each command lives in a module of this
package; importing them registers them on the group.
"""

from audit_kit.cli import (  # noqa: F401  (importing a module registers its commands)
    assess,
    batch,
    compare,
    fill,
    instrument,
    interchange,
    plan,
)
from audit_kit.cli.base import DEFAULT_INSTRUMENT, UserError, cli

__all__ = ["DEFAULT_INSTRUMENT", "UserError", "cli", "main"]


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="audit-kit")
