"""The reports store nothing about a volunteer: a fact sheet holds figures (and names only
the award's laureates who consented to be named publicly, read from the awards app)."""

from core.personal_data import register_staff_only

register_staff_only(
    {
        "reports.FactSheet": (
            "requested_by is the coordinator or ministry official who asked for the sheet; "
            "the sheet holds figures only"
        )
    }
)
