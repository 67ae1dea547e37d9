"""Isolation cases of the coordinators' event pages (events/views_staff.py)."""

from __future__ import annotations

CASES: dict = {}
EXTRA: dict = {}
