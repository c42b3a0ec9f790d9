"""Errors of the model itself: a run that raises one is wrong and must not be used."""


class ModelError(RuntimeError):
    """An invariant of the model broke (a bug, never user input)."""


class ReconciliationError(ModelError):
    """The off-chain ledger and the on-chain balances disagree: the run is wrong and must not be used."""
