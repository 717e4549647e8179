import datetime

import pytest
from django.utils import timezone

from leads import services
from leads.models import Enterprise

VALID_CREDIT_CODE = "91350100M000100Y43"


@pytest.fixture
def file_lead(world):
    """`file_lead("chief_a", title=…, **fields)` files a lead for the persona's own team."""

    def make(persona="chief_a", *, station=None, title="新能源电池项目", minutes_ago=0, **fields):
        user = world.users[persona]
        station = station or (world.station_a if persona in ("chief_a", "staff_a", "bureau_a") else world.station_b)
        fields.setdefault("enterprise_name", "宁德示例新能源科技有限公司")
        return services.lead_file(user=user, station=station, title=title,
                                  filed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago), **fields)

    return make


@pytest.fixture
def top_enterprise(world):
    return Enterprise.objects.create(name="示例集团股份有限公司", normalised_name="示例", tiers=["china500"])
