"""A lead from filing to signing, in a real browser: the chief files it from a phone and sees the
duplicate warning, the bureau screens it in a meeting and transfers it, the park signs it."""

import datetime

import pytest
from django.utils import timezone

from leads import services
from leads.models import Lead, Stage

from ..factories import PASSWORD
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_screen_transfer_and_sign(world, page_factory):
    from ..conftest import activate_preset

    activate_preset("xiangzhou")
    services.lead_file(user=world.users["chief_b"], station=world.station_b, title="年产10GWh锂电池项目一期",
                       enterprise_name="宁德示例新能源科技有限公司",
                       filed_at=timezone.now() - datetime.timedelta(days=3))

    # The chief of station A files the same project from a phone and is warned.
    phone = page_factory(phone=True)
    log_in(phone, "chief_a", PASSWORD)
    phone.goto("/leads/new/")
    phone.fill("#id_title", "年产10GWh锂电池项目二期")
    phone.fill("#id_enterprise_name", "宁德示例新能源科技")
    phone.fill("#id_total_investment", "200000")
    phone.locator("#id_investor_name").click()  # leaving the field fires "change"
    warning = phone.locator("[data-testid=duplicate-warning]")
    warning.wait_for()
    # Another team's filing is announced without its details.
    assert "另一团队" in warning.inner_text() and "驻北京招商站" not in warning.inner_text()
    phone.get_by_role("button", name="备案").click()
    phone.wait_for_url("**/leads/*/")
    lead = Lead.objects.get(station=world.station_a)
    assert lead.duplicate_status == "suspected"
    assert phone.csp_violations == []

    # The bureau judges it a distinct project (phase two) on the lead's page, then screens it in
    # a meeting and transfers it to the park.
    desk = page_factory()
    log_in(desk, "bureau", PASSWORD)
    desk.goto(f"/leads/{lead.pk}/")
    desk.fill("form[action$='/duplicate/'] #id_reason", "二期是新的投资项目，与一期分别统计")
    desk.locator("form[action$='/duplicate/'] button[type=submit]").click()
    desk.wait_for_load_state("load")
    lead.refresh_from_db()
    assert lead.duplicate_status == "distinct"
    desk.goto("/leads/meetings/")
    desk.fill("#id_date", timezone.localdate().isoformat())
    desk.get_by_role("button", name="召开研判会").click()
    desk.wait_for_url("**/leads/meetings/*/")
    desk.select_option("#id_lead", str(lead.pk))
    desk.select_option("#id_decision", "valid")
    desk.fill("#id_reason", "符合新能源主导产业")
    desk.select_option("#id_transfer_to", str(world.park_unit.pk))
    desk.fill("#id_follower", "经开区 周科长")
    desk.get_by_role("button", name="记录结论").click()
    desk.wait_for_selector("[data-testid=decisions] >> text=有效：转办")
    lead.refresh_from_db()
    assert (lead.stage, lead.transferred_to) == (Stage.TRANSFERRED, world.park_unit)

    # The park follows it to a signed contract.
    park = page_factory()
    log_in(park, "park", PASSWORD)
    park.goto(f"/leads/{lead.pk}/")
    steps = [("negotiation", {}), ("intention", {}), ("agreement", {}),
             ("review", {"#id_review_site": "经开区东区", "#id_review_land_utilities": "净地",
                         "#id_review_policy": "奖补", "#id_review_leader": "王副区长"}),
             ("signed", {"#id_signed_on": timezone.localdate().isoformat(), "#id_contract_amount": "200000"})]
    for stage, fields in steps:
        park.select_option("#id_to_stage", stage)
        for selector, value in fields.items():
            park.fill(selector, value)
        park.get_by_role("button", name="推进", exact=True).click()
        park.wait_for_load_state("load")
        lead.refresh_from_db()
        assert lead.stage == stage, park.locator(".alert").all_inner_texts()
    assert park.locator("[data-testid=lead-stage]").inner_text() == "已签约"
    assert park.csp_violations == []
