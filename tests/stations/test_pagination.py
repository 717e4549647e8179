"""`KeysFirstPaginator`: the same pages as Django's Paginator, read keys first."""

from django.core.paginator import Paginator

from stations.models import Station
from stations.pagination import KeysFirstPaginator
from tests.factories import StationFactory


def test_pages_match_djangos(db, django_assert_num_queries):
    for number in range(7):
        StationFactory(name=f"队{number % 3}-{number}")
    stations = Station.objects.select_related("parent").order_by("-name", "pk")
    expected = [[station.pk for station in page] for page in
                (Paginator(stations, 3).page(number) for number in (1, 2, 3))]
    for number in (1, 2, 3):
        with django_assert_num_queries(3):  # count, the page's keys, its rows
            page = KeysFirstPaginator(stations, 3).page(number)
            assert [station.pk for station in page] == expected[number - 1]
            assert all(station.parent is None for station in page)  # read with the rows: no query
    assert KeysFirstPaginator(stations, 3).get_page(99).number == 3


def test_an_empty_list(db):
    page = KeysFirstPaginator(Station.objects.none(), 3).get_page(1)
    assert list(page) == []
    assert not page.has_other_pages()


def test_a_count_the_caller_knows_is_not_counted_again(db, django_assert_num_queries):
    for number in range(5):
        StationFactory(name=f"队{number}")
    stations = Station.objects.order_by("name")
    with django_assert_num_queries(2):  # the page's keys, its rows
        page = KeysFirstPaginator(stations, 2, count=5).page(3)
    assert [station.name for station in page] == ["队4"]
    assert page.paginator.num_pages == 3
