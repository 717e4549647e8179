"""Lead pages: filing from the form, the duplicate warning, moves, screening, counts, query counts."""

import datetime
import functools
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.models import DuplicateStatus, Industry, Lead, LeadRules, LeadsVersion, MeetingDecision, Stage
from stations.services import save_validated

from ..factories import StationFactory

TODAY = timezone.localdate()


def test_chief_files_a_lead_in_wan_and_it_is_stored_in_yuan(world, client_for):
    response = client_for("chief_a").post(reverse("leads:create"), {
        "station": world.station_a.pk, "title": "高端装备产业园", "enterprise_name": "示例装备集团有限公司",
        "total_investment": "12000", "category": "industrial", "investor_name": "王总",
        "investor_phone": "13800001111", "content": "建设智能装备生产线", "source": "station", "origin": "domestic",
        "currency": "CNY", "tags": "装备、重点"})
    lead = Lead.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == lead.get_absolute_url()
    assert lead.total_investment == Decimal("120000000.00")
    assert lead.station == world.station_a
    assert sorted(lead.tags.values_list("name", flat=True)) == ["装备", "重点"]


@pytest.mark.parametrize("station", ["other", "abc", ""])
def test_a_chief_cannot_file_for_another_team_by_editing_the_form(world, client_for, station):
    station = str(world.station_b.pk) if station == "other" else station
    response = client_for("chief_a").post(reverse("leads:create"), {
        "station": station, "title": "项目", "category": "industrial", "source": "station",
        "origin": "domestic", "currency": "CNY"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].non_field_errors()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("total_investment", "-5"), ("total_investment", "abc"),
                                              ("credit_code", "91350100M000100Y44"), ("title", "")])
def test_bad_lead_input_saves_nothing(world, client_for, field, value):
    data = {"title": "项目", "category": "industrial", "source": "station", "origin": "domestic", "currency": "CNY",
            field: value}
    response = client_for("chief_a").post(reverse("leads:create"), data)
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["form"].errors
    assert not Lead.objects.exists()


def test_duplicate_warning_while_typing_shows_an_earlier_lead_of_another_team(world, client_for, file_lead):
    file_lead("chief_b", title="年产10GWh锂电池项目", enterprise_name="宁德示例新能源科技有限公司")
    response = client_for("chief_a").get(reverse("leads:duplicates"), {
        "title": "年产10GWh锂电池生产线", "enterprise_name": "宁德示例新能源科技"})
    content = response.content.decode()
    assert 'data-testid="duplicate-warning"' in content
    # Another team's lead is announced, never shown: no title, team or link.
    assert "年产10GWh锂电池项目" not in content and "驻北京招商站" not in content
    assert "/leads/" not in content.split("duplicate-warning")[1].split("</ul>")[0]
    assert TODAY.isoformat() in content
    assert "duplicate-warning" not in client_for("chief_a").get(
        reverse("leads:duplicates"), {"title": "总部结算中心", "enterprise_name": "别的公司"}).content.decode()


def test_move_through_the_form_records_the_facts(world, client_for, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a"), user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    client = client_for("chief_a")
    client.post(reverse("leads:move", args=[lead.pk]), {"to_stage": "lost", "lost_reason": "落户外地"})
    lead.refresh_from_db()
    assert lead.stage == Stage.NEGOTIATION  # the service finding is missing: nothing moved
    response = client.post(reverse("leads:move", args=[lead.pk]),
                           {"to_stage": "lost", "lost_reason": "落户外地", "lost_poor_service": "no"})
    assert response.status_code == HTTPStatus.FOUND
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason, lead.lost_poor_service) == (Stage.LOST, "落户外地", False)


def test_a_stage_the_profile_does_not_allow_is_refused(world, client_for, file_lead):
    lead = file_lead("chief_a")
    client_for("chief_a").post(reverse("leads:move", args=[lead.pk]),
                               {"to_stage": "signed", "signed_on": "2026-01-01", "contract_amount": "1"})
    lead.refresh_from_db()
    assert lead.stage == Stage.FILED


def test_bureau_screens_in_a_meeting_and_transfers_to_the_park(world, client_for, file_lead):
    lead = file_lead("chief_a")
    client = client_for("bureau")
    client.post(reverse("leads:meeting_list"), {"date": TODAY.isoformat(), "attendees": [world.unit_a.pk]})
    from leads.models import ScreeningMeeting

    meeting = ScreeningMeeting.objects.get()
    response = client.post(reverse("leads:meeting_detail", args=[meeting.pk]), {
        "lead": lead.pk, "decision": MeetingDecision.VALID, "reason": "符合主导产业", "transfer_to": world.park_unit.pk,
        "follower": "园区招商科 刘科长"})
    assert response.status_code == HTTPStatus.FOUND
    lead.refresh_from_db()
    assert (lead.stage, lead.transferred_to, lead.follower) == (Stage.TRANSFERRED, world.park_unit, "园区招商科 刘科长")
    assert client_for("park").get(lead.get_absolute_url()).status_code == HTTPStatus.OK


def test_bureau_resolves_a_suspected_duplicate_from_the_lead_page(world, client_for, file_lead):
    first = file_lead("chief_b", title="锂电池项目", minutes_ago=30)
    second = file_lead("chief_a", title="锂电池项目二")
    assert second.duplicate_status == DuplicateStatus.SUSPECTED
    page = client_for("bureau").get(second.get_absolute_url())
    assert "duplicate_form" in page.context
    client_for("bureau").post(reverse("leads:resolve_duplicate", args=[second.pk]),
                              {"original": first.pk, "reason": "同一企业同一项目"})
    second.refresh_from_db()
    assert second.duplicate_of == first
    listed = client_for("bureau").get(reverse("leads:list")).context["leads"]
    assert [lead.pk for lead in listed] == [first.pk]  # the duplicate never counts


def test_list_filters_and_class(world, client_for, file_lead):
    big = file_lead("chief_a", title="大项目", total_investment=Decimal("150000000"),
                    fixed_asset_investment=Decimal("90000000"), industry=Industry.objects.get(code="C38"),
                    source="fair")
    file_lead("chief_a", title="小项目", total_investment=Decimal("3000000"), enterprise_name="别的公司",
              fixed_asset_investment=Decimal("3000000"))
    client = client_for("bureau")
    assert [lead.pk for lead in client.get(reverse("leads:list"), {"min": "10000"}).context["leads"]] == [big.pk]
    assert [lead.pk for lead in client.get(reverse("leads:list"), {"scale": "1"}).context["leads"]] == [big.pk]
    assert client.get(reverse("leads:list"), {"class": "complete"}).context["page_obj"].paginator.count == 0
    assert client.get(reverse("leads:list"), {"min": "nonsense"}).status_code == HTTPStatus.OK
    section = Industry.objects.get(code="C")  # a section finds the leads filed under its divisions
    assert [lead.pk for lead in client.get(reverse("leads:list"), {"industry": section.pk}).context["leads"]] == [
        big.pk]
    assert [lead.pk for lead in client.get(reverse("leads:list"), {"source": "fair"}).context["leads"]] == [big.pk]
    assert [lead.pk for lead in client.get(reverse("leads:list"), {"q": "大项"}).context["leads"]] == [big.pk]
    by_amount = client.get(reverse("leads:list"), {"sort": "-amount"}).context["leads"]
    assert [lead.title for lead in by_amount] == ["小项目", "大项目"]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the block's writes left for their commit, as a real commit
    would: that is when the lead figures' version goes up (`LeadsVersion`)."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


def test_funnel_counts_match_the_leads_and_skip_duplicates(world, client_for, file_lead, commit):
    first = file_lead("chief_a", title="项目一", total_investment=Decimal("100000000"))
    services.lead_move(lead=first, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    dup = file_lead("chief_b", title="项目一", total_investment=Decimal("100000000"), minutes_ago=-1)
    services.lead_resolve_duplicate(lead=dup, user=world.users["bureau"], original=first, reason="同一项目")
    file_lead("chief_b", title="别的", enterprise_name="别的公司", total_investment=Decimal("20000000"))
    funnel = client_for("bureau").get(reverse("leads:funnel")).context["funnel"]
    total = {stage: (n, amount) for stage, _label, n, amount in funnel["total"]}
    assert total["filed"] == (2, Decimal("120000000"))
    assert total["negotiation"] == (1, Decimal("100000000"))
    assert total["screening"] == (0, 0)  # negotiated by the team itself: never screened
    assert total["signed"] == (0, 0)
    with commit():
        services.lead_move(lead=first, user=world.users["chief_a"], to_stage=Stage.LOST, lost_reason="去外地",
                           lost_poor_service=False)
    total = {stage: (n, amount) for stage, _label, n, amount in
             client_for("bureau").get(reverse("leads:funnel")).context["funnel"]["total"]}
    assert total["negotiation"] == (1, Decimal("100000000"))  # a lost lead still got that far
    assert total["lost"] == (1, Decimal("100000000"))


def test_major_report_lists_major_leads_with_this_months_progress(world, client_for, file_lead):
    major = file_lead("chief_a", title="百亿项目", total_investment=Decimal("10000000000"))
    file_lead("chief_a", title="小项目", total_investment=Decimal("1000000"), enterprise_name="别的公司")
    rows = client_for("bureau").get(reverse("leads:major_report")).context["rows"]
    assert [row["lead"].pk for row in rows] == [major.pk]
    assert [change.to_stage for change in rows[0]["changes"]] == ["filed"]


def add_leads(world, count):
    station = StationFactory()
    for number in range(count):
        services.lead_file(user=world.users["chief_a"], station=world.station_a,
                           title=f"项目{number}", enterprise_name=f"企业{number}", total_investment=Decimal(number))
    return station


# Each page: the 6 of every page (stations.permissions and the navigation bar), then its own.
LIST_PAGES = {
    # the leads' version (the count's cache key), count (not cached yet), lead rules (the version
    # in force, its rules), the page's keys, then its leads (joined), the page's qualifying visits,
    # the filter choices: stations, industries
    "leads:list": 15,
    # the newest lead and change (the counts' cache key), counts per stage (not cached yet), the
    # newest leads of each of the 14 stages, the filter choices
    "leads:board": 24,
    # the newest lead and change (the cache key), then, not cached yet: the stage changes
    # grouped by team and stage, the exits grouped likewise, the teams' names
    "leads:funnel": 10,
}


@pytest.mark.parametrize(("url_name", "expected"), LIST_PAGES.items())
@pytest.mark.parametrize("count", [1, 50])
def test_lead_pages_query_count_does_not_grow(world, client_for, django_assert_num_queries, url_name, expected,
                                              count):
    add_leads(world, count)
    client = client_for("bureau")
    with django_assert_num_queries(expected):
        response = client.get(reverse(url_name))
    assert response.status_code == HTTPStatus.OK


def test_the_funnel_is_cached_until_a_lead_is_filed_or_moves(world, client_for, file_lead, django_assert_num_queries,
                                                            commit):
    first = file_lead("chief_a", title="项目一", total_investment=Decimal("100000000"))
    client = client_for("bureau")

    def total(stage):
        funnel = client.get(reverse("leads:funnel")).context["funnel"]
        return {key: (n, amount) for key, _label, n, amount in funnel["total"]}[stage]

    assert total("filed") == (1, Decimal("100000000"))
    with django_assert_num_queries(LIST_PAGES["leads:funnel"] - 3):  # served from the cache
        client.get(reverse("leads:funnel"))
    with commit():
        file_lead("chief_b", title="别的", enterprise_name="别的公司", total_investment=Decimal("20000000"))
    assert total("filed") == (2, Decimal("120000000"))  # a new lead shows at once
    with commit():
        services.lead_move(lead=first, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    assert total("negotiation") == (1, Decimal("100000000"))  # and so does a move
    first.refresh_from_db()
    first.total_investment = Decimal("300000000")
    with commit():
        save_validated(first, user=world.users["chief_a"], reason="amount corrected")
    assert total("negotiation") == (1, Decimal("300000000"))  # and an edit


def test_the_list_count_is_cached_until_a_lead_changes(world, client_for, file_lead, django_assert_num_queries,
                                                       commit):
    first = file_lead("chief_a", title="长沙项目一")
    client = client_for("bureau")

    def count(**query):
        return client.get(reverse("leads:list"), query).context["page_obj"].paginator.count

    assert (count(), count(q="长沙")) == (1, 1)
    with django_assert_num_queries(LIST_PAGES["leads:list"] - 1):  # the count comes from the cache
        client.get(reverse("leads:list"))
    with commit():
        file_lead("chief_b", title="长沙项目二", enterprise_name="别的公司")
        assert count() == 1  # not committed yet: the cached count stands
    assert (count(), count(q="长沙")) == (2, 2)  # committed: the new lead counts at once
    with commit():
        services.lead_move(lead=first, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    assert (count(stage="filed"), count(stage="negotiation")) == (1, 1)  # and so does a move
    assert count(q="长沙", stage="filed") == 1
    assert count(stage="filed") == 1
    assert client_for("chief_a").get(reverse("leads:list")).context["page_obj"].paginator.count == 1  # own team's


def test_the_board_counts_are_cached_until_a_lead_changes(world, client_for, file_lead, django_assert_num_queries,
                                                          commit):
    first = file_lead("chief_a", title="项目一")
    client = client_for("bureau")

    def counts():
        return {stage: count for stage, _label, count, _cards in client.get(reverse("leads:board")).context["columns"]}

    assert counts()["filed"] == 1
    with django_assert_num_queries(LIST_PAGES["leads:board"] - 1):  # the counts come from the cache
        response = client.get(reverse("leads:board"))
    cards = {stage: cards for stage, _label, _count, cards in response.context["columns"]}
    assert [card["title"] for card in cards["filed"]] == ["项目一"]
    with commit():
        file_lead("chief_b", title="别的", enterprise_name="别的公司")
        assert counts()["filed"] == 1  # not committed yet: the cached count stands
    assert counts()["filed"] == 2  # committed: the new lead shows at once
    with commit():
        services.lead_move(lead=first, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    assert (counts()["filed"], counts()["negotiation"]) == (1, 1)  # and so does a move
    first.refresh_from_db()
    first.duplicate_status = DuplicateStatus.DUPLICATE
    first.duplicate_of = Lead.objects.exclude(pk=first.pk).get()
    with commit():
        save_validated(first, user=world.users["bureau"], reason="duplicate")
    assert counts()["negotiation"] == 0  # and a lead marked a duplicate


def test_cached_board_counts_follow_what_their_filters_read_besides_the_lead(world, client_for, file_lead, commit):
    lead = file_lead("chief_a", title="项目一")
    client = client_for("bureau")

    def qualified():
        columns = client.get(reverse("leads:board"), {"class": "qualified"}).context["columns"]
        return sum(count for _stage, _label, count, _cards in columns)

    before = LeadsVersion.current()
    assert qualified() == 0
    # A qualifying investor visit saves the visit, not the lead: the count must follow all the same.
    with commit():
        services.investor_visit_add(lead=lead, user=world.users["chief_a"], date=TODAY - datetime.timedelta(days=1),
                                    executive_name="张总", rank="chairman", departments="发改局",
                                    received_by_leader=True, real_intent=True)
    assert LeadsVersion.current() > before
    assert qualified() == 1


def test_a_cached_scale_count_follows_a_new_threshold_that_touched_no_lead(world, client_for, file_lead):
    file_lead("chief_a", title="项目一", fixed_asset_investment=Decimal("90000000"))
    client = client_for("bureau")
    rules = services.rules_for()
    rules.scale_threshold = Decimal("50000000")
    rules.save()

    def scale_count(**query):
        return client.get(reverse("leads:list"), {"scale": "1", **query}).context["page_obj"].paginator.count

    assert scale_count() == 1
    assert scale_count(sort="-amount") == 1  # the sort is not part of what is counted
    # As a new version of the profile would: no signal, no new leads version.
    before = LeadsVersion.current()
    LeadRules.objects.filter(pk=rules.pk).update(scale_threshold=Decimal("100000000"))
    assert LeadsVersion.current() == before
    assert scale_count() == 0


def test_lead_detail_shows_the_timeline(world, client_for, file_lead):
    lead = file_lead("chief_a")
    services.investor_visit_add(lead=lead, user=world.users["chief_a"], date=TODAY - datetime.timedelta(days=1),
                                executive_name="张总", rank="chairman", departments="发改局", received_by_leader=True,
                                real_intent=True)
    timeline = client_for("chief_a").get(lead.get_absolute_url()).context["timeline"]
    assert {entry["kind"] for entry in timeline} >= {"stage", "investor_visit", "edit"}


def test_a_capital_increase_is_filed_linked_to_the_first_lead(world, client_for, file_lead):
    first = file_lead("chief_a", title="一期", total_investment=Decimal("100000000"))
    client_for("chief_a").post(reverse("leads:create"), {
        "station": world.station_a.pk, "title": "二期增资", "enterprise_name": "别的名称", "category": "capital_increase",
        "total_investment": "3000", "source": "station", "origin": "domestic", "currency": "CNY",
        "previous_phase": first.pk})
    second = Lead.objects.get(title="二期增资")
    assert second.previous_phase == first
    assert second.total_investment == Decimal("30000000.00")


def test_the_park_edits_a_transferred_lead_that_has_an_earlier_phase(world, client_for, file_lead):
    first = file_lead("chief_a", title="一期")
    lead = file_lead("chief_a", title="二期", previous_phase=first, enterprise_name="别的公司")
    meeting = services.meeting_create(user=world.users["bureau"], date=TODAY)
    services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead, decision=MeetingDecision.VALID,
                            reason="好", transfer_to=world.park_unit, follower="刘")
    response = client_for("park").post(reverse("leads:update", args=[lead.pk]), {
        "title": "二期（园区改名）", "enterprise_name": "别的公司", "category": "industrial", "source": "station",
        "origin": "domestic", "currency": "CNY", "previous_phase": first.pk, "utilities": "双回路",
        "total_investment": "1"})
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    lead.refresh_from_db()
    # After screening what the lead is stays as filed; the park adds what it learns.
    assert (lead.title, lead.previous_phase, lead.utilities, lead.total_investment) == ("二期", first, "双回路", None)


def test_the_service_refuses_locked_fields_after_screening(world, file_lead):
    from django.core.exceptions import ValidationError

    lead = file_lead("chief_a", total_investment=Decimal("200000000"))
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    with pytest.raises(ValidationError) as error:
        services.lead_update(lead=lead, user=world.users["chief_a"], total_investment=Decimal("10000"))
    assert "total_investment" in error.value.error_dict
    lead.refresh_from_db()
    assert lead.total_investment == Decimal("200000000")


def test_a_bad_report_month_falls_back_to_this_month(world, client_for):
    response = client_for("bureau").get(reverse("leads:major_report"), {"year": "9999", "month": "12"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["year"] == TODAY.year


def transfer_to_park(world, lead):
    meeting = services.meeting_create(user=world.users["bureau"], date=TODAY)
    services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead, decision=MeetingDecision.VALID,
                            reason="符合主导产业", transfer_to=world.park_unit, follower="刘")


def test_the_parks_start_page_lists_the_leads_transferred_to_it(world, client_for, file_lead):
    transferred = file_lead("chief_a", title="转办的电池项目")
    transfer_to_park(world, transferred)
    file_lead("chief_a", title="未转办的项目", enterprise_name="另一家公司")
    park = client_for("park", HTTP_ACCEPT_LANGUAGE="en")
    section = park.get(reverse("stations:home")).content.decode().split('data-testid="park-leads"')[1]
    section = section.split("</section>")[0]
    assert transferred.get_absolute_url() in section and "转办的电池项目" in section
    assert "未转办的项目" not in section
    assert 'text-bg-secondary">1<' in section
    # Nobody else gets the section.
    assert 'data-testid="park-leads"' not in client_for("bureau").get(reverse("stations:home")).content.decode()


def test_the_parks_start_page_takes_the_same_queries_for_one_lead_or_many(world, client_for, file_lead,
                                                                          django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    park = client_for("park")
    transfer_to_park(world, file_lead("chief_a", title="第一个项目"))
    with CaptureQueriesContext(connection) as one:
        assert park.get(reverse("stations:home")).status_code == HTTPStatus.OK
    for number in range(4):
        transfer_to_park(world, file_lead("chief_a", title=f"项目{number}", enterprise_name=f"公司{number}"))
    with django_assert_num_queries(len(one)):
        page = park.get(reverse("stations:home")).content.decode()
    assert page.split('data-testid="park-leads"')[1].count("<tr>") == 1 + 5


def test_the_parks_start_page_shows_the_newest_transfers_first(world, client_for, file_lead):
    old = file_lead("chief_a", title="早已备案的项目", minutes_ago=600)
    new = file_lead("chief_a", title="新备案的项目", enterprise_name="另一家公司")
    transfer_to_park(world, new)
    transfer_to_park(world, old)  # filed earlier, transferred last
    section = client_for("park").get(reverse("stations:home")).content.decode().split('data-testid="park-leads"')[1]
    assert section.index("早已备案的项目") < section.index("新备案的项目")


def test_the_first_provider_is_named_by_their_persons_name(world, client_for, file_lead):
    from stations.models import Person

    Person.objects.filter(user=world.users["chief_a"]).update(name="王建国")
    lead = file_lead("chief_a")
    page = client_for("bureau").get(lead.get_absolute_url()).content.decode()
    assert "王建国" in page
