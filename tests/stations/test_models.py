"""Every model has a page to link to."""

import pytest
from django.apps import apps


@pytest.mark.parametrize("model", [m for m in apps.get_app_config("stations").get_models()
                                   if not m.__name__.startswith("Historical")], ids=lambda m: m.__name__)
def test_every_model_has_get_absolute_url(model):
    assert callable(getattr(model, "get_absolute_url", None)), model.__name__


def test_cities_display_names_radiated_cities():
    from django.utils import translation

    from stations.models import Station

    station = Station(name="驻福州招商站", code="FZ", kind="resident_station", home_city="福州", radiates_to=["厦门", "泉州"])
    with translation.override("zh-hans"):
        assert station.cities_display == "福州（辐射厦门、泉州）"
    with translation.override("en"):
        assert station.cities_display == "福州 (radiates to 厦门、泉州)"
    assert Station(home_city="", region="闽南", radiates_to=[]).cities_display == "闽南"
