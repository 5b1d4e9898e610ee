"""Analyst queries: the saved-query catalog, parameters, the read-only guard, the runner."""
