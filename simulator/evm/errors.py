"""Errors a user can act on (bad input or environment), as opposed to bugs.

They live in the harness so it depends on nothing outside itself; an application re-exports them (as
`simulator.errors` does) so that one `except UserError` catches both its own errors and the harness's, and a
command line can print one line and exit with `exit_code` instead of a traceback.
"""


class UserError(Exception):
    """Bad input or environment: a malformed scenario, an unknown backend, an unreachable node.

    `exit_code` 2 is for invalid input (usage, scenario, arguments), 1 for failures at run time.
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(UserError):
    """Invalid input given by the user (exit code 2)."""

    exit_code = 2
