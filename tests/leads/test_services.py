"""Leads: filing, classes, duplicates and first-provider credit, stage moves under two presets."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from leads import services
from leads.models import DuplicateStatus, Enterprise, Lead, MeetingDecision, Stage, validate_credit_code
from stations.permissions import Role

from ..conftest import activate_preset
from ..factories import UserFactory
from .conftest import VALID_CREDIT_CODE

TODAY = timezone.localdate()


def test_credit_code_checksum():
    validate_credit_code(VALID_CREDIT_CODE)
    for bad in ("91350100M000100Y44", "91350100M000100Y4", "9135010OM000100Y43"):
        with pytest.raises(ValidationError):
            validate_credit_code(bad)


def test_filing_records_the_first_provider_and_a_stage_row(world, file_lead):
    lead = file_lead("chief_a")
    assert lead.first_provider_user == world.users["chief_a"]
    assert lead.filed_by == world.users["chief_a"]
    assert list(lead.stage_changes.values_list("from_stage", "to_stage")) == [("", "filed")]
    assert lead.duplicate_status == DuplicateStatus.NONE


def test_an_outside_first_provider(world, file_lead):
    lead = file_lead("chief_a", first_provider_name="李老板（同乡会）", first_provider_unit="温州商会")
    assert lead.first_provider_user is None
    assert lead.first_provider == "李老板（同乡会）"


def test_another_team_cannot_file_for_a_team(world, file_lead):
    with pytest.raises(PermissionDenied):
        file_lead("chief_b", station=world.station_a)
    assert not Lead.objects.exists()


def test_same_project_from_two_teams_is_suspected_and_the_earlier_keeps_the_credit(world, file_lead):
    first = file_lead("chief_b", title="年产10GWh锂电池项目", minutes_ago=60)
    second = file_lead("chief_a", title="年产10GWh锂电池生产项目", enterprise_name="宁德示例新能源科技 有限公司")
    assert second.duplicate_status == DuplicateStatus.SUSPECTED
    assert services.possible_duplicates(title=second.title, enterprise_name="宁德示例新能源科技",
                                        exclude_pk=second.pk) == [first]
    with pytest.raises(ValidationError):  # the earlier filing is never the duplicate
        services.lead_resolve_duplicate(lead=first, user=world.users["bureau"], original=second, reason="同一项目")
    services.lead_resolve_duplicate(lead=second, user=world.users["bureau"], original=first, reason="同一项目")
    assert list(Lead.objects.countable()) == [first]
    second.refresh_from_db()
    assert second.lead_class()[0] == "duplicate"


def test_a_different_project_of_the_same_enterprise_is_not_suspected(world, file_lead):
    file_lead("chief_b", title="年产10GWh锂电池项目")
    other = file_lead("chief_a", title="总部结算中心")
    assert other.duplicate_status == DuplicateStatus.NONE


def test_same_credit_code_is_suspected_whatever_the_title(world, file_lead):
    enterprise = Enterprise.objects.create(name="甲公司", normalised_name="甲", credit_code=VALID_CREDIT_CODE)
    file_lead("chief_b", title="项目一", enterprise=enterprise, enterprise_name="")
    lead = file_lead("chief_a", title="完全不同的名称", enterprise=enterprise, enterprise_name="")
    assert lead.duplicate_status == DuplicateStatus.SUSPECTED


def test_bureau_of_the_same_team_cannot_resolve_its_own_duplicate(world, file_lead):
    first = file_lead("chief_b", minutes_ago=10)
    second = file_lead("staff_a")
    with pytest.raises(PermissionDenied):
        services.lead_resolve_duplicate(lead=second, user=world.users["bureau_a"], original=first, reason="x")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "raw"),
        ({"content": "建设电池工厂", "total_investment": Decimal("1"), "investor_name": "王总",
          "investor_phone": "13800000000", "utilities": "双回路供电"}, "complete"),
        ({"content": "建设电池工厂", "total_investment": Decimal("1"), "investor_name": "王总",
          "investor_phone": "13800000000"}, "raw"),  # requirements missing
        ({"content": "  ", "total_investment": Decimal("1"), "investor_name": "王总",
          "investor_phone": "13800000000", "land_mu": Decimal("0")}, "raw"),  # blank content
    ],
)
def test_complete_class_at_its_edges(world, file_lead, fields, expected):
    lead = file_lead("chief_a", **fields)
    assert lead.lead_class()[0] == expected
    assert Lead.objects.of_class("complete").filter(pk=lead.pk).exists() == (expected == "complete")


@pytest.mark.parametrize(
    ("tiers", "rank", "received", "qualifies"),
    [
        (["china500"], "investment_manager", True, True),
        (["china500"], "other", True, False),
        ([], "investment_manager", True, False),  # an SME needs its chairman, president or GM
        ([], "general_manager", True, True),
        ([], "chairman", False, False),  # not received by the leader in charge
    ],
)
def test_qualified_needs_the_right_executive_received_by_the_leader(world, file_lead, tiers, rank, received,
                                                                   qualifies):
    enterprise = Enterprise.objects.create(name="乙公司", normalised_name="乙", tiers=tiers)
    lead = file_lead("chief_a", enterprise=enterprise, enterprise_name="")
    services.investor_visit_add(lead=lead, user=world.users["chief_a"], date=TODAY, executive_name="张总",
                                rank=rank, departments="发改局、自然资源局", received_by_leader=received,
                                real_intent=True)
    assert (lead.lead_class()[0] == "qualified") is qualifies
    assert Lead.objects.of_class("qualified").filter(pk=lead.pk).exists() is qualifies


def park_user(world):
    user = UserFactory(username="park2", roles=[Role.PARK])
    from ..factories import PersonFactory

    PersonFactory(user=user, home_unit=world.park_unit)
    return user


def screen_and_transfer(world, lead):
    from leads.services import meeting_create, meeting_decide

    meeting = meeting_create(user=world.users["bureau"], date=TODAY, attendees=[world.unit_a])
    meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead, decision=MeetingDecision.VALID,
                   reason="符合主导产业", transfer_to=world.park_unit, follower="园区招商科 刘科长")
    lead.refresh_from_db()
    return lead


def test_xiangzhou_full_path_through_the_park(world, file_lead):
    lead = screen_and_transfer(world, file_lead("chief_a", total_investment=Decimal("200000000")))
    assert lead.stage == Stage.TRANSFERRED
    park = world.users["park"]
    for stage in (Stage.NEGOTIATION, Stage.INTENTION, Stage.AGREEMENT):
        lead = services.lead_move(lead=lead, user=park, to_stage=stage)
    with pytest.raises(ValidationError) as error:  # review needs its facts, and a major one the leader
        services.lead_move(lead=lead, user=park, to_stage=Stage.REVIEW, review_site="开发区东区",
                           review_land_utilities="净地100亩", review_policy="固投补贴")
    assert "review_leader" in error.value.error_dict
    lead = services.lead_move(lead=lead, user=park, to_stage=Stage.REVIEW, review_site="开发区东区",
                              review_land_utilities="净地100亩", review_policy="固投补贴", review_leader="李副区长")
    with pytest.raises(ValidationError):
        services.lead_move(lead=lead, user=park, to_stage=Stage.SIGNED)  # needs date and amount
    lead = services.lead_move(lead=lead, user=park, to_stage=Stage.SIGNED, signed_on=TODAY,
                              contract_amount=Decimal("200000000"))
    with pytest.raises(ValidationError):  # started before signed
        services.lead_move(lead=lead, user=park, to_stage=Stage.STARTED, started_on=TODAY - datetime.timedelta(1))
    lead = services.lead_move(lead=lead, user=park, to_stage=Stage.STARTED, started_on=TODAY)
    assert lead.stage == Stage.STARTED
    assert [c.to_stage for c in lead.stage_changes.all()] == [
        "filed", "screening", "transferred", "negotiation", "intention", "agreement", "review", "signed", "started"]


def test_after_transfer_the_team_keeps_read_but_not_the_stages(world, file_lead):
    from leads.access import leads_for

    lead = screen_and_transfer(world, file_lead("chief_a"))
    with pytest.raises(PermissionDenied):
        services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    assert lead in leads_for(world.users["chief_a"])
    assert lead in leads_for(world.users["park"])
    assert lead not in leads_for(world.users["chief_b"])
    assert lead in leads_for(park_user(world))  # another user of the same park
    other_park = UserFactory(username="otherpark", roles=[Role.PARK])
    assert lead not in leads_for(other_park)


def test_xuancheng_skips_intention_and_forbids_self_negotiation(world, file_lead):
    activate_preset("xuancheng")
    lead = file_lead("chief_a")
    assert services.allowed_moves(lead, services.rules_for()) == [Stage.SCREENING, Stage.REJECTED, Stage.ON_HOLD]
    with pytest.raises(ValidationError):
        services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    lead = screen_and_transfer(world, lead)
    lead = services.lead_move(lead=lead, user=world.users["park"], to_stage=Stage.NEGOTIATION)
    assert services.allowed_moves(lead, services.rules_for())[0] == Stage.REVIEW
    with pytest.raises(ValidationError):
        services.lead_move(lead=lead, user=world.users["park"], to_stage=Stage.INTENTION)


def test_xiangzhou_team_may_negotiate_itself(world, file_lead):
    lead = file_lead("chief_a")
    lead = services.lead_move(lead=lead, user=world.users["staff_a"], to_stage=Stage.NEGOTIATION, note="自行洽谈")
    assert lead.stage == Stage.NEGOTIATION
    with pytest.raises(PermissionDenied):
        services.lead_move(lead=lead, user=world.users["park"], to_stage=Stage.INTENTION)


def test_a_contract_is_not_signed_before_the_lead_was_filed(world, file_lead):
    lead = file_lead("chief_a", minutes_ago=0)
    for stage in (Stage.NEGOTIATION, Stage.INTENTION, Stage.AGREEMENT):
        lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=stage)
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.REVIEW, review_site="东区",
                              review_land_utilities="净地", review_policy="奖补", review_leader="王副区长")
    filed_on = timezone.localdate(lead.filed_at)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.SIGNED,
                           signed_on=filed_on - datetime.timedelta(days=1), contract_amount=Decimal("1000000"))
    assert refused.value.message_dict == {
        "signed_on": [f"The contract cannot be signed before the lead was filed ({filed_on.isoformat()})."]}
    lead.refresh_from_db()
    assert (lead.stage, lead.signed_on) == (Stage.REVIEW, None)
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.SIGNED, signed_on=filed_on,
                              contract_amount=Decimal("1000000"))
    assert lead.stage == Stage.SIGNED


def test_lost_needs_a_reason_and_a_service_finding(world, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a"), user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    with pytest.raises(ValidationError):
        services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.LOST, lost_reason="去了外地")
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.LOST, lost_reason="去了外地",
                              lost_poor_service=False)
    assert lead.stage == Stage.LOST
    assert services.allowed_moves(lead, services.rules_for()) == []


def test_hold_and_resume(world, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a"), user=world.users["bureau"], to_stage=Stage.ON_HOLD,
                              note="等企业董事会")
    assert lead.held_from == Stage.FILED
    lead = services.lead_move(lead=lead, user=world.users["bureau"], to_stage=Stage.FILED, note="恢复")
    assert lead.stage == Stage.FILED


def test_bureau_never_screens_its_own_teams_lead(world, file_lead):
    lead = file_lead("staff_a")
    with pytest.raises(PermissionDenied):
        services.lead_move(lead=lead, user=world.users["bureau_a"], to_stage=Stage.SCREENING)


def test_valid_decision_needs_a_park_and_follower_and_saves_nothing_otherwise(world, file_lead):
    lead = file_lead("chief_a")
    meeting = services.meeting_create(user=world.users["bureau"], date=TODAY)
    with pytest.raises(ValidationError):
        services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead,
                                decision=MeetingDecision.VALID, reason="好项目")
    lead.refresh_from_db()
    assert lead.stage == Stage.FILED
    assert not meeting.decisions.exists()


def test_reassigning_a_lead_needs_the_bureau_and_a_reason(world, file_lead):
    lead = file_lead("chief_a")
    with pytest.raises(PermissionDenied):
        services.lead_reassign(lead=lead, user=world.users["chief_a"], station=world.station_b, reason="x")
    with pytest.raises(ValidationError):
        services.lead_reassign(lead=lead, user=world.users["bureau"], station=world.station_b, reason=" ")
    services.lead_reassign(lead=lead, user=world.users["bureau"], station=world.station_b, reason="实际由北京站对接")
    lead.refresh_from_db()
    assert lead.station == world.station_b
    assert "实际由北京站对接" in lead.history.first().history_change_reason


def test_funds_in_place_only_after_signing_and_positive(world, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a"), user=world.users["chief_a"], to_stage=Stage.NEGOTIATION)
    with pytest.raises(ValidationError):
        services.funds_add(lead=lead, user=world.users["chief_a"], date=TODAY, amount=Decimal("1000"))
    for stage in (Stage.INTENTION, Stage.AGREEMENT):
        lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=stage)
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.REVIEW, review_site="a",
                              review_land_utilities="b", review_policy="c")
    lead = services.lead_move(lead=lead, user=world.users["chief_a"], to_stage=Stage.SIGNED, signed_on=TODAY,
                              contract_amount=Decimal("1000000"))
    with pytest.raises(ValidationError):
        services.funds_add(lead=lead, user=world.users["chief_a"], date=TODAY, amount=Decimal("-5"))
    entry = services.funds_add(lead=lead, user=world.users["chief_a"], date=TODAY, amount=Decimal("100"),
                               currency="USD", exchange_rate=Decimal("7.1"))
    assert entry.amount_cny == Decimal("710.00")


def test_foreign_money_needs_currency_and_rate(world, file_lead):
    with pytest.raises(ValidationError):
        file_lead("chief_a", origin="foreign", total_investment=Decimal("100"))
    with pytest.raises(ValidationError):
        file_lead("chief_a", origin="foreign", currency="USD", total_investment=Decimal("100"))
    lead = file_lead("chief_a", origin="foreign", currency="USD", exchange_rate=Decimal("7.1"),
                     exchange_rate_date=TODAY, total_investment=Decimal("100"))
    assert lead.pk


def test_capital_increase_is_its_own_lead_counting_its_own_amount(world, file_lead):
    first = file_lead("chief_a", title="一期", total_investment=Decimal("100"))
    second = file_lead("chief_a", title="二期增资", category="capital_increase", previous_phase=first,
                       total_investment=Decimal("30"), enterprise_name="另一家公司")
    from django.db.models import Sum

    assert Lead.objects.countable().aggregate(total=Sum("total_investment"))["total"] == Decimal("130")
    assert list(first.later_phases.all()) == [second]


def test_a_move_takes_only_the_facts_of_its_stage(world, file_lead):
    lead = screen_and_transfer(world, file_lead("chief_a"))
    other_park = world.unit_b
    with pytest.raises(ValidationError) as error:
        services.lead_move(lead=lead, user=world.users["park"], to_stage=Stage.NEGOTIATION,
                           transferred_to=other_park, signed_on=TODAY)
    assert set(error.value.error_dict) == {"transferred_to", "signed_on"}
    lead.refresh_from_db()
    assert (lead.stage, lead.transferred_to, lead.signed_on) == (Stage.TRANSFERRED, world.park_unit, None)


def test_only_a_meeting_transfers_and_only_to_a_park(world, file_lead):
    lead = services.lead_move(lead=file_lead("chief_a"), user=world.users["bureau"], to_stage=Stage.SCREENING)
    with pytest.raises(ValidationError):
        services.lead_move(lead=lead, user=world.users["bureau"], to_stage=Stage.TRANSFERRED,
                           transferred_to=world.park_unit, follower="刘")
    meeting = services.meeting_create(user=world.users["bureau"], date=TODAY)
    with pytest.raises(ValidationError):  # a government department is not a park
        services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead,
                                decision=MeetingDecision.VALID, reason="好", transfer_to=world.unit_b, follower="刘")
    lead.refresh_from_db()
    assert lead.stage == Stage.SCREENING


def test_a_meeting_decides_a_lead_once(world, file_lead):
    lead = file_lead("chief_a")
    meeting = services.meeting_create(user=world.users["bureau"], date=TODAY)
    services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead,
                            decision=MeetingDecision.MORE_INFO, reason="补充投资方信息")
    with pytest.raises(ValidationError):
        services.meeting_decide(meeting=meeting, user=world.users["bureau"], lead=lead,
                                decision=MeetingDecision.MORE_INFO, reason="再次")
    assert meeting.decisions.count() == 1


def test_marking_a_duplicate_repoints_its_own_duplicates(world, file_lead):
    first = file_lead("chief_b", title="电池项目", minutes_ago=30)
    second = file_lead("chief_a", title="电池项目一", minutes_ago=20)
    third = file_lead("chief_a", title="电池项目二", minutes_ago=10)
    services.lead_resolve_duplicate(lead=third, user=world.users["bureau"], original=second, reason="同一")
    services.lead_resolve_duplicate(lead=second, user=world.users["bureau"], original=first, reason="同一")
    third.refresh_from_db()
    assert third.duplicate_of == first
    assert list(Lead.objects.countable()) == [first]


def test_money_in_yuan_takes_no_exchange_rate(world, file_lead):
    lead = screen_and_transfer(world, file_lead("chief_a"))
    park = world.users["park"]
    for stage in (Stage.NEGOTIATION, Stage.INTENTION, Stage.AGREEMENT):
        lead = services.lead_move(lead=lead, user=park, to_stage=stage)
    lead = services.lead_move(lead=lead, user=park, to_stage=Stage.REVIEW, review_site="a", review_land_utilities="b",
                              review_policy="c")
    lead = services.lead_move(lead=lead, user=park, to_stage=Stage.SIGNED, signed_on=TODAY,
                              contract_amount=Decimal("1"))
    with pytest.raises(ValidationError):
        services.funds_add(lead=lead, user=park, date=TODAY, amount=Decimal("100"), exchange_rate=Decimal("7"))
    assert not lead.funds.exists()


def test_a_phase_cannot_link_another_teams_lead_or_loop(world, file_lead):
    theirs = file_lead("chief_b", title="北京的项目")
    with pytest.raises(ValidationError):
        file_lead("chief_a", title="增资", previous_phase=theirs, enterprise_name="别的")
    first = file_lead("chief_a", title="一期", enterprise_name="甲")
    second = file_lead("chief_a", title="二期", previous_phase=first, enterprise_name="乙")
    with pytest.raises(ValidationError):
        services.lead_update(lead=first, user=world.users["chief_a"], previous_phase=second)


def test_editing_a_lead_into_an_existing_project_marks_it_suspected(world, file_lead):
    file_lead("chief_b", title="年产10GWh锂电池项目", minutes_ago=30)
    lead = file_lead("chief_a", title="办公楼", enterprise_name="某物业公司")
    assert lead.duplicate_status == DuplicateStatus.NONE
    lead = services.lead_update(lead=lead, user=world.users["chief_a"], title="年产10GWh锂电池项目",
                                enterprise_name="宁德示例新能源科技有限公司")
    assert lead.duplicate_status == DuplicateStatus.SUSPECTED


def test_a_tier_correction_re_judges_investor_visits(world, file_lead):
    enterprise = Enterprise.objects.create(name="丙公司", normalised_name="丙", tiers=[])
    lead = file_lead("chief_a", enterprise=enterprise, enterprise_name="")
    services.investor_visit_add(lead=lead, user=world.users["chief_a"], date=TODAY, executive_name="投资部刘经理",
                                rank="investment_manager", departments="发改局", received_by_leader=True,
                                real_intent=True)
    assert lead.lead_class()[0] != "qualified"  # an SME's investment manager is not enough
    services.enterprise_update(enterprise=enterprise, user=world.users["chief_a"], tiers=["china500"])
    assert lead.lead_class()[0] == "qualified"
    with pytest.raises(PermissionDenied):
        services.enterprise_update(enterprise=enterprise, user=world.users["chief_b"], city="北京")
