import factory
from factory.django import DjangoModelFactory

from accounts.models import Municipality, Organization, Region, User

TEST_PASSWORD = "Test-pass-2026"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 1:02d}")
    name = factory.LazyAttribute(lambda o: f"Регион {o.code}")


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципальный район № {n}")

    @factory.lazy_attribute_sequence
    def code(self, n):
        # Three digits (the validator); m100–m899, never a code a test writes itself
        # (reg47_m001, reg47_m999), however many municipalities the process made before.
        return f"reg{self.region.code}_m{100 + n % 800:03d}"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SelfAttribute("municipality.region")
    name = factory.Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n}»")
    kind = Organization.Kind.SCHOOL

    @factory.lazy_attribute_sequence
    def login(self, n):
        # 1000–4999: never a login a test writes itself (edu470001, edu479999) nor one of
        # `many_organizations` (5000 and up), however many the process made before.
        return f"edu{self.region.code}{1000 + n % 4000:04d}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OperatorFactory(UserFactory):
    role = User.Role.OPERATOR
    is_staff = True
    is_superuser = True


class RegionalCoordinatorFactory(UserFactory):
    role = User.Role.REGIONAL
    region = factory.SubFactory(RegionFactory)
    username = factory.LazyAttribute(lambda o: f"reg{o.region.code}0000")


class MunicipalCoordinatorFactory(UserFactory):
    role = User.Role.MUNICIPAL
    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SelfAttribute("municipality.region")
    username = factory.LazyAttribute(lambda o: o.municipality.code)


class OrganizationUserFactory(UserFactory):
    role = User.Role.ORGANIZATION
    organization = factory.SubFactory(OrganizationFactory)
    municipality = factory.SelfAttribute("organization.municipality")
    region = factory.SelfAttribute("organization.region")
    username = factory.LazyAttribute(lambda o: o.organization.login)
