"""The data-protection app stores nothing about a volunteer (see ``core.personal_data``)."""

from core.personal_data import register_staff_only

register_staff_only({"privacy.RetentionPolicy": "changed by central coordinators only"})
