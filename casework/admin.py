"""Casework is worked in the coordinators' pages; the admin panel shows nothing of it (a
client's record is read only by its unit's coordinators and supervising officer, every view
logged — the admin would bypass that log)."""
