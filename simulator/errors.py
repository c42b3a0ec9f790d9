"""Errors a user can act on. The CLI prints them as one line and exits non-zero, never a traceback."""


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
