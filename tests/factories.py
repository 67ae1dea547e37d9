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
    agreement_term = factory.LazyAttribute(lambda o: "ligums" if o.code == "IEVP" else "vienosanas")


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


class VolunteerFactory(DjangoModelFactory):
    class Meta:
        model = "volunteers.Volunteer"

    user = factory.SubFactory(UserFactory)
    personal_code = ""
    date_of_birth = factory.Faker("date_of_birth", minimum_age=19, maximum_age=70)
    phone = factory.Sequence(lambda n: f"+371 2{n:07d}")
    address = factory.Faker("street_address", locale="lv_LV")
    municipality = "Rīga"
    languages = "latviešu, angļu"
    education = "higher"
    availability = "Darbdienu vakaros"


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = "volunteers.Application"
        skip_postgeneration_save = True

    volunteer = factory.SubFactory(VolunteerFactory)
    unit = factory.SubFactory(UnitFactory)
    institution = factory.LazyAttribute(lambda o: o.unit.institution)
    motivation = "Vēlos palīdzēt cilvēkiem atgriezties sabiedrībā."
    record_declaration = "none"
    consent_record_check = True
    consent_data_processing = True
    reference = factory.Sequence(lambda n: f"T2026-{90000 + n:05d}")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)


def document_row(subject, *, kind: str = "agreement", save: bool = True, **fields):
    """A ``documents.Document`` of ``subject`` (an agreement by default), for tests that need
    a document in a given state without rendering it."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Document

    document = Document(
        kind=kind,
        unit=subject.unit,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        number=getattr(subject, "number", "") or "",
        **{"version": 1, **fields},
    )
    if save:
        document.save()
    return document
