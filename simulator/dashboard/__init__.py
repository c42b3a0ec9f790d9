"""The browser dashboard (`rwa-sim dashboard`): scenario form, runs in worker processes, comparisons, and the
sweeps, analyses and calibrations on disk. Needs the `dashboard` extra (Solara)."""
