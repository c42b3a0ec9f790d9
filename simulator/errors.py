"""Errors a user can act on. The CLI prints them as one line and exits non-zero, never a traceback.

The classes are the EVM harness's own (simulator.evm.errors), re-exported rather than subclassed: an error
the harness raises (an unknown backend, a missing artifact, an unreachable node) is then the same class the
CLI catches, with the same exit code.
"""

from simulator.evm.errors import InputError, UserError

__all__ = ["InputError", "UserError"]
