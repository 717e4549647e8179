"""Factories with Chinese fake data. Behaviour tests set up state through services."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stations.models import Person, Posting, PostingRole, Station, StationKind, StationUnit, Unit, UnitKind

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))
        if create:
            self.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试区第{n}局")
    short_name = factory.Sequence(lambda n: f"第{n}局")
    kind = UnitKind.DEPARTMENT


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"驻测试{n}招商站")
    code = factory.Sequence(lambda n: f"T{n}")
    kind = StationKind.RESIDENT_STATION
    home_city = factory.Faker("city_name", locale="zh_CN")
    opened_on = datetime.date(2025, 3, 1)

    @factory.post_generation
    def forming_units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            StationUnit.objects.create(station=self, unit=unit)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    rank = "四级主任科员"


class PostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posting

    person = factory.SubFactory(PersonFactory)
    station = factory.SubFactory(StationFactory)
    role = PostingRole.STAFF
    title = factory.LazyAttribute(lambda o: "主任" if o.role == PostingRole.CHIEF else "工作人员")
    start_date = datetime.date(2025, 3, 1)

    class Params:
        chief = factory.Trait(role=PostingRole.CHIEF)
