"""Isolation cases of the volunteers app's public views (see registry.py for roles and shapes)."""

from .registry import LOGIN, PUBLIC_GET, UNIT_READ, Case  # noqa: F401

CASES: dict[str, Case] = {}
