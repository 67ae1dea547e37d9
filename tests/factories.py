import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from institutions import services
from institutions.models import Institution, Unit

PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.lv")
    first_name = factory.Faker("first_name", locale="lv_LV")
    last_name = factory.Faker("last_name", locale="lv_LV")
    language = "lv"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            if extracted is not False:
                EmailAddress.objects.get_or_create(
                    user=self, email=self.email, defaults={"verified": True, "primary": True}
                )


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("code",)

    code = "IEVP"
    name = factory.LazyAttribute(lambda o: dict(Institution.Code.choices)[o.code])
    short_name = factory.LazyAttribute(lambda o: {"IEVP": "IeVP"}.get(o.code, o.code))


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("slug",)

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Vienība {n}")
    slug = factory.Sequence(lambda n: f"vieniba-{n}")
    kind = Unit.Kind.PRISON


def unit_coordinator(unit: Unit, **kwargs):
    user = UserFactory(**kwargs)
    services.unit_coordinator_grant(actor=None, user=user, unit=unit)
    return user


def central_coordinator(institution: Institution, **kwargs):
    user = UserFactory(**kwargs)
    services.central_coordinator_grant(actor=None, user=user, institution=institution)
    return user


def ministry_viewer(**kwargs):
    user = UserFactory(**kwargs)
    services.ministry_viewer_grant(actor=None, user=user)
    return user
