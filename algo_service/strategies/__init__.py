"""Strategies shipped with the algo service (registered as entry points in pyproject.toml)."""
