"""Users' journeys end to end in a real browser."""

import pytest

from stations.models import Posting

from ..factories import PASSWORD, PersonFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chief_on_a_phone_sees_only_their_station(world, page_factory):
    page = page_factory(phone=True)
    log_in(page, "chief_a", PASSWORD)
    cards = page.locator("[data-testid=station-card]")
    assert cards.count() == 1
    assert "驻上海招商站" in cards.first.inner_text()
    assert "驻北京招商站" not in page.content()
    # The menu folds on a phone: open it and go to the team list.
    page.click("button.navbar-toggler")
    page.click("text=团队")
    page.wait_for_url("**/teams/")
    assert page.locator("[data-testid=station-card]").count() == 1
    # Another station's page is a plain "not found".
    response = page.goto(f"/teams/{world.station_b.pk}/")
    assert response.status == 404
    assert "未找到" in page.content()
    assert page.csp_violations == []


def test_bureau_staff_post_a_person_to_a_station(world, page_factory):
    newcomer = PersonFactory(name="新派驻的周明", home_unit=world.unit_a)
    page = page_factory()
    log_in(page, "bureau", PASSWORD)
    page.click(f"a[href='/teams/{world.station_a.pk}/']")
    page.click("text=派驻人员")
    page.select_option("select[name=person]", str(newcomer.pk))
    page.select_option("select[name=role]", "staff")
    page.fill("input[name=start_date]", "2026-04-01")
    page.fill("input[name=term_end]", "2028-03-31")
    page.fill("input[name=certificate_no]", "襄招聘〔2026〕15号")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/teams/{world.station_a.pk}/")
    table = page.locator("[data-testid=postings]").inner_text()
    assert "新派驻的周明" in table
    assert "工作人员" in table  # the title the Xiangzhou preset gives staff
    posting = Posting.objects.get(person=newcomer)
    assert posting.station == world.station_a
    assert posting.history.first().history_user == world.users["bureau"]
    assert page.csp_violations == []


def test_english_is_one_click_away(world, page_factory):
    page = page_factory()
    log_in(page, "leader", PASSWORD)
    # Choosing a language submits the switcher form (outpost.js); wait for that navigation.
    with page.expect_navigation():
        page.select_option("select#language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "All teams" in page.content()
