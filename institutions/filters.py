import django_filters

from .models import Unit


class UnitChoiceField(django_filters.fields.ModelChoiceField):
    """A unit choice that names the institution too when the list spans several."""

    with_institution = False

    def label_from_instance(self, obj: Unit) -> str:
        if self.with_institution:
            return f"{obj.institution.short_name} — {obj.name}"
        return obj.name


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField
