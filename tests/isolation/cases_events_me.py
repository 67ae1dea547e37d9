"""Isolation cases of the volunteer's event, hours and certificate pages (events/views_me.py)."""

from __future__ import annotations

CASES: dict = {}
EXTRA: dict = {}
