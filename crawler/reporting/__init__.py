"""Accounting for a run: why pages were not emitted (rejects) and the per-site run report."""
