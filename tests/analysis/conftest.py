"""Shared helpers for the analysis tests: the Agg backend and small wave builders."""

import matplotlib

matplotlib.use("Agg")
