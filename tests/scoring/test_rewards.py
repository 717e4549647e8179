"""Rewards and penalties (issue #5 item 6): first-provider tiers, foreign projects, the introducer's
two settlements with the offset, awards, the chain of who acts, clawback, the payment run, and the
year's rewards and penalties sheets."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from leads.models import FundsEntry, Lead
from scoring import engine, rewards
from scoring.models import (
    IntroducerSettlement,
    Reward,
    RewardRules,
    RewardStep,
    SchemeSubject,
    ScoringScheme,
)
from scoring.reward_models import clean_tiers, tier_label
from stations.models import Profile
from stations.permissions import Role, has_role
from stations.services import profile_copy

from ..conftest import activate_preset
from ..factories import UserFactory

YEAR = timezone.localdate().year
WAN = Decimal("10000")
S = rewards.S


@pytest.fixture
def rules(world):
    activate_preset("all-staff")
    return rewards.rules_for_year(YEAR)


def lead(world, title="项目", **fields):
    values = {"station": world.station_a, "title": title, "filed_by": world.users["chief_a"],
              "created_by": world.users["chief_a"], "first_provider_user": world.users["chief_a"],
              "filed_at": timezone.make_aware(datetime.datetime(YEAR, 1, 5))}
    return Lead.objects.create(**(values | fields))


def signed(world, wan, title="项目", **fields):
    return lead(world, title, fixed_asset_investment=Decimal(wan) * WAN, signed_on=datetime.date(YEAR, 5, 1),
                **fields)


def compute(world, year=YEAR):
    return rewards.rewards_compute(year=year, user=world.users["bureau"])


def first_provider(the_lead):
    return Reward.objects.filter(kind="first_provider", lead=the_lead).first()


def award(world, amount="5000", persona="bureau", **fields):
    values = {"year": YEAR, "kind": "individual", "amount": amount, "explanation": "年度招商先进个人",
              "recipient_person": world.person("staff_a")}
    return rewards.award_propose(user=world.users[persona], **(values | fields))


def advance(world, reward, persona, to, **fields):
    return rewards.reward_advance(reward=reward, user=world.users[persona], to_status=to, **fields)


def to_published(world, reward):
    advance(world, reward, "assessor", S.AUDITED)
    advance(world, reward, "leader", S.DECIDED)
    advance(world, reward, "bureau", S.PUBLISHED)
    Reward.objects.filter(pk=reward.pk).update(published_until=timezone.localdate() - datetime.timedelta(days=1))
    reward.refresh_from_db()
    return reward


# --- Rules as data ----------------------------------------------------------------------------------------------


def test_the_all_staff_preset_carries_the_seeds_numbers_and_huaiyin_awards_only(rules):
    assert [label for label, _amount in rules.tier_labels()] == [
        "[500万, 1000万]", "(1000万, 3000万]", "(3000万, 5000万]", "> 5000万"]
    assert [amount for _label, amount in rules.tier_labels()] == ["1000", "3000", "10000", "20000"]
    assert (rules.minimum_project, rules.minimum_basis, rules.minimum_inclusive) == (500 * WAN, "fixed_asset", True)
    assert (rules.foreign_rate, rules.introducer_rate) == (Decimal("0.003"), Decimal("0.005"))
    assert rules.first_provider_trigger == "signed" and rules.computes
    huaiyin = RewardRules.objects.get(version__profile__code="huaiyin")
    assert not huaiyin.computes  # awards only
    assert not RewardRules.objects.filter(version__profile__code__in=("shanting", "xiangzhou")).exists()


def test_copying_a_profile_copies_its_reward_rules_for_editing(rules, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    copy = profile_copy(profile=Profile.objects.get(code="all-staff"), user=admin, code="all-staff-2", name="全员2")
    copied = RewardRules.objects.get(version__profile=copy)
    assert copied.first_provider_tiers == rules.first_provider_tiers and copied.pk != rules.pk
    copied.introducer_rate = Decimal("0.006")
    copied.save()
    rules.refresh_from_db()
    assert rules.introducer_rate == Decimal("0.005")


@pytest.mark.parametrize(("tiers", "message"), [
    ([{"low": "1000", "high": "500", "amount": "1"}], "upper bound must be above"),
    ([{"low": "0", "high": "1000", "amount": "1"}, {"low": "900", "high": None, "amount": "2"}], "overlaps"),
    # 以上 1000 in both tiers: the boundary would belong to two tiers.
    ([{"low": "0", "high": "1000", "high_inclusive": True, "amount": "1"},
      {"low": "1000", "low_inclusive": True, "high": None, "amount": "2"}], "overlaps"),
    ([{"low": "0", "high": None, "amount": "1"}, {"low": "2000", "high": None, "amount": "2"}], "only the last"),
    ([{"low": "0", "high": "10", "amount": "-1"}], "cannot be negative"),
    ([{"low": "zero", "high": "10", "amount": "1"}], "must be numbers"),
    ([{"low": "0", "high": "10", "amount": "1", "bonus": 1}], "unknown keys"),
    ([{"low": "0", "high": "10", "amount": "1", "low_inclusive": "yes"}], "true or false"),
    ("500-1000", "a list"),
])
def test_bad_tiers_are_refused_with_a_message(tiers, message):
    with translation.override("en"):  # lazy messages are read inside the override too
        with pytest.raises(ValidationError) as refused:
            clean_tiers(tiers)
        assert message in " ".join(refused.value.messages)


def test_good_tiers_are_normalised_and_a_shared_boundary_belongs_to_one_tier():
    tiers = clean_tiers([{"low": 500, "high": 1000, "amount": 1000},
                         {"low": 1000, "low_inclusive": False, "high": None, "amount": 3000}])
    assert tiers == [
        {"low": "500", "low_inclusive": True, "high": "1000", "high_inclusive": True, "amount": "1000"},
        {"low": "1000", "low_inclusive": False, "high": None, "high_inclusive": False, "amount": "3000"}]
    assert tier_label(tiers[1]) == "> 0.1万"


def test_the_admin_refuses_overlapping_tiers(rules, django_user_model):
    from django.test import Client

    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:scoring_rewardrules_change", args=[rules.pk])
    page = client.get(url)
    assert page.status_code == 200 and "[500万, 1000万]" in page.content.decode()
    rules.first_provider_tiers = [{"low": "0", "high": "10", "amount": "1"}, {"low": "5", "high": None, "amount": "2"}]
    with pytest.raises(ValidationError):
        rules.full_clean()
    for model in ("reward", "rewardrules"):
        assert client.get(reverse(f"admin:scoring_{model}_changelist")).status_code == 200


# --- First provider --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("wan", "amount"), [
    ("499.99", None),  # below 500万: not a scale project
    ("500", "1000"), ("500.01", "1000"), ("1000", "1000"),  # [500, 1000]
    ("1000.01", "3000"), ("3000", "3000"),  # (1000, 3000]
    ("3000.01", "10000"), ("5000", "10000"),  # (3000, 5000]
    ("5000.01", "20000"), ("80000", "20000"),  # > 5000
])
def test_the_first_provider_is_rewarded_by_tier_with_the_boundaries_where_the_seed_puts_them(world, rules, wan,
                                                                                            amount):
    project = signed(world, wan)
    with translation.override("en"):
        summary = compute(world)
    reward = first_provider(project)
    if amount is None:
        assert reward is None
        assert summary["skipped"] == [(project, "below the minimum project size")]
        return
    assert (reward.amount, reward.basis, reward.status) == (Decimal(amount), Decimal(wan) * WAN, S.PROPOSED)
    assert (reward.recipient_user, reward.recipient_person) == (world.users["chief_a"], world.person("chief_a"))
    assert reward.recipient_name == "chief_a" and reward.year == YEAR
    assert f"{format(Decimal(wan).normalize(), 'f')}万元 in " in reward.explanation
    assert reward.steps.get().status == S.PROPOSED


def test_an_outside_first_provider_is_rewarded_by_name_with_their_unit(world, rules):
    project = signed(world, "800", first_provider_user=None, first_provider_name="张三",
                     first_provider_unit="某商会")
    compute(world)
    reward = first_provider(project)
    assert (reward.recipient_name, reward.recipient_org, reward.recipient_user) == ("张三", "某商会", None)


@pytest.mark.parametrize("trigger", ["signed", "started", "production"])
def test_the_trigger_is_a_setting_and_only_projects_that_hit_it_in_the_year_are_rewarded(world, rules, trigger):
    rules.first_provider_trigger = trigger
    rules.save()
    last_year = datetime.date(YEAR - 1, 6, 1)
    fai = {"fixed_asset_investment": 800 * WAN}
    by_trigger = {
        "signed": lead(world, "签约", signed_on=datetime.date(YEAR, 2, 1), **fai),
        "started": lead(world, "开工", signed_on=last_year, started_on=datetime.date(YEAR, 3, 1), **fai),
        "production": lead(world, "投产", signed_on=last_year, started_on=last_year,
                           production_on=datetime.date(YEAR, 4, 1), **fai),
    }
    compute(world)
    assert list(Reward.objects.filter(kind="first_provider").values_list("lead__title", flat=True)) == [
        by_trigger[trigger].title]


def test_a_foreign_project_earns_the_rate_of_the_registered_capital_received_with_its_currency(world, rules):
    project = signed(world, "100", origin="foreign", currency="USD", exchange_rate=Decimal("7.1"),
                     exchange_rate_date=datetime.date(YEAR, 3, 1))  # under 500万: the minimum is domestic only
    for day, amount, rate in [(datetime.date(YEAR, 3, 1), "1000000", "7.1"), (datetime.date(YEAR, 6, 1), "500000", "7.2"),
                              (datetime.date(YEAR + 1, 1, 2), "900000", "7.3")]:  # next year: not counted
        FundsEntry.objects.create(lead=project, date=day, amount=Decimal(amount), currency="USD",
                                  amount_cny=Decimal(amount) * Decimal(rate), recorded_by=world.users["park"])
    compute(world)
    reward = first_provider(project)
    assert reward.basis == Decimal("10700000.00")  # 7,100,000 + 3,600,000 元
    assert reward.amount == Decimal("32100.00")  # × 0.3 %
    assert (reward.currency, reward.foreign_amount) == ("USD", Decimal("1500000"))
    assert (reward.exchange_rate, reward.exchange_rate_date) == (Decimal("7.133333"), datetime.date(YEAR, 6, 1))
    assert "USD 1000000" in reward.explanation and "7200000" not in reward.explanation


def test_a_foreign_project_without_capital_received_or_without_the_rule_is_not_rewarded(world, rules):
    project = signed(world, "800", origin="foreign", currency="USD", exchange_rate=Decimal("7"),
                     exchange_rate_date=datetime.date(YEAR, 3, 1))
    with translation.override("en"):
        assert compute(world)["skipped"] == [(project, "no registered capital received by the end of the year")]
        rules.foreign_rate = None
        rules.save()
        assert compute(world)["skipped"] == [(project, "no reward rule for foreign projects")]
    assert not Reward.objects.exists()


def test_duplicates_are_never_rewarded_and_a_suspected_one_waits_for_the_bureau(world, rules):
    original = signed(world, "800", "电池项目")
    signed(world, "800", "电池项目（重复）", duplicate_status="duplicate", duplicate_of=original)
    suspected = signed(world, "800", "电池二期", duplicate_status="suspected")
    with translation.override("en"):
        summary = compute(world)
    assert list(Reward.objects.values_list("lead", flat=True)) == [original.pk]
    assert [(skipped, why.split(":")[0]) for skipped, why in summary["skipped"]] == [
        (suspected, "suspected duplicate")]
    Lead.objects.filter(pk=suspected.pk).update(duplicate_status="distinct")
    compute(world)
    assert Reward.objects.count() == 2


def test_computing_again_changes_nothing_updates_proposals_and_keeps_what_was_acted_on(world, rules):
    project, other = signed(world, "800"), signed(world, "2000", "二号项目")
    first = compute(world)
    assert (first["created"], first["updated"]) == (2, 0)
    history, steps = Reward.history.count(), RewardStep.objects.count()
    again = compute(world)
    assert (again["created"], again["updated"], again["removed"]) == (0, 0, 0)
    assert (Reward.objects.count(), Reward.history.count(), RewardStep.objects.count()) == (2, history, steps)
    # A proposal follows the facts; an audited reward keeps the facts of its moment.
    advance(world, first_provider(other), "assessor", S.AUDITED)
    Lead.objects.filter(pk__in=[project.pk, other.pk]).update(fixed_asset_investment=4000 * WAN)
    summary = compute(world)
    assert (summary["updated"], summary["kept"]) == (1, 1)
    assert (first_provider(project).amount, first_provider(other).amount) == (Decimal("10000"), Decimal("3000"))
    # A proposal that no longer applies (now a duplicate) is removed; nothing is ever rewarded twice.
    Lead.objects.filter(pk=project.pk).update(duplicate_status="duplicate", duplicate_of=other)
    assert compute(world)["removed"] == 1
    assert list(Reward.objects.values_list("lead", flat=True)) == [other.pk]


@pytest.mark.parametrize("count", [1, 6])
def test_computing_costs_the_same_queries_for_one_lead_or_many(world, rules, django_assert_num_queries, count):
    for number in range(count):
        signed(world, "800", f"项目{number}", introducer_unit=world.unit_b, started_on=datetime.date(YEAR, 6, 1),
               actual_fixed_asset_investment=600 * WAN)
    user = world.users["bureau"]
    has_role(user, Role.BUREAU)  # the user's roles, read once per request
    # Savepoint; the rules in force, then locked; the leads; the funds of foreign leads; the rewards
    # on record (locked); then the rewards and their history, the settlements and theirs, the
    # steps; release.
    with django_assert_num_queries(12):
        rewards.rewards_compute(year=YEAR, user=user)
    assert Reward.objects.count() == 2 * count
    # Computing again reads and writes nothing more.
    with django_assert_num_queries(7):
        rewards.rewards_compute(year=YEAR, user=user)


# --- The introducer's settlements ------------------------------------------------------------------------------


def test_the_introducer_is_settled_at_year_end_by_progress_then_after_completion_with_the_offset_carried(world,
                                                                                                       rules,
                                                                                                       client_for):
    project = lead(world, "机械项目", fixed_asset_investment=2000 * WAN, signed_on=datetime.date(YEAR, 2, 1),
                   started_on=datetime.date(YEAR, 3, 1), actual_fixed_asset_investment=1200 * WAN,
                   introducer_unit=world.unit_b, introducer_person="王五")
    compute(world)
    year_end = Reward.objects.get(kind="introducer", settlement="year_end")
    assert (year_end.recipient_name, year_end.recipient_unit, year_end.basis) == ("王五", world.unit_b, 1200 * WAN)
    assert year_end.amount == Decimal("60000.00")  # 0.5 % of 1200万 so far
    # The bureau enters the introducer's promotion expenses on the page: the settlement offsets them first.
    page = client_for("bureau").get(year_end.get_absolute_url())
    assert page.context["may_enter_expenses"] and 'data-testid="settlement"' in page.content.decode()
    url = reverse("scoring:reward_settlement", args=[year_end.pk])
    for bad in ("abc", "-1", "1.001"):
        assert client_for("bureau").post(url, {"expenses": bad}).status_code == 302
    assert IntroducerSettlement.objects.get(reward=year_end).expenses == 0  # bad input changes nothing
    assert client_for("bureau").post(url, {"expenses": "80000"}).status_code == 302
    settlement = IntroducerSettlement.objects.get(reward=year_end)
    assert (settlement.offset, settlement.net, settlement.carried) == (60000, 0, 20000)
    assert settlement.expenses_entered_by == world.users["bureau"]
    year_end.refresh_from_db()
    assert year_end.amount == 0  # net never negative: the rest carries on
    with pytest.raises(PermissionDenied):
        rewards.settlement_enter_expenses(reward=year_end, user=world.users["finance"], expenses="1")
    advance(world, year_end, "assessor", S.AUDITED)
    with pytest.raises(ValidationError):  # no longer a proposal
        rewards.settlement_enter_expenses(reward=year_end, user=world.users["bureau"], expenses="1")
    # Completed: 0.5 % of the final 2000万 less the 60000 settled, for the leading group to decide.
    Lead.objects.filter(pk=project.pk).update(completed_on=datetime.date(YEAR, 11, 1),
                                              actual_fixed_asset_investment=2000 * WAN)
    compute(world)
    after = Reward.objects.get(kind="introducer", settlement="after_completion")
    settlement = after.introducer_settlement
    assert (settlement.already_settled, settlement.suggested, settlement.brought_forward) == (60000, 40000, 20000)
    assert (settlement.offset, settlement.net, after.amount) == (20000, 20000, 20000)
    advance(world, after, "assessor", S.AUDITED)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        advance(world, after, "leader", S.DECIDED, comment="测算")
    assert "decides the amount" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        advance(world, after, "leader", S.DECIDED, amount="45000")  # without the reason
    advance(world, after, "leader", S.DECIDED, amount="45000", comment="领导小组测算：按竣工决算")
    after.refresh_from_db()
    settlement.refresh_from_db()
    assert (after.status, settlement.gross, settlement.offset, settlement.net, after.amount) == (
        S.DECIDED, 45000, 20000, 25000, 25000)
    assert (settlement.decided_by, settlement.decision_reason) == (world.users["leader"], "领导小组测算：按竣工决算")


def test_the_introducers_reward_needs_an_introducer_the_minimum_size_and_the_actual_investment(world, rules):
    common = {"started_on": datetime.date(YEAR, 3, 1), "actual_fixed_asset_investment": 600 * WAN,
              "first_provider_user": None}
    nobody = lead(world, "无引进人", fixed_asset_investment=800 * WAN, **common)
    small = lead(world, "小项目", fixed_asset_investment=400 * WAN, introducer_unit=world.unit_b, **common)
    unknown = lead(world, "无实际投入", fixed_asset_investment=800 * WAN, introducer_unit=world.unit_b,
                   started_on=datetime.date(YEAR, 3, 1))
    with translation.override("en"):
        skipped = dict(compute(world)["skipped"])
    assert skipped == {nobody: "no introducer determined", small: "below the minimum project size",
                       unknown: "no actual fixed-asset investment recorded"}
    assert not Reward.objects.exists()


# --- The chain: who acts ---------------------------------------------------------------------------------------


def test_the_chain_goes_through_the_offices_in_order_and_refuses_the_wrong_hand(world, rules):
    reward = award(world)
    for persona in ("bureau", "finance", "leader", "chief_a"):
        with pytest.raises(PermissionDenied):
            advance(world, reward, persona, S.AUDITED)
    with pytest.raises(ValidationError):  # not decided yet
        advance(world, reward, "bureau", S.PUBLISHED)
    advance(world, reward, "assessor", S.AUDITED, comment="材料属实")
    advance(world, reward, "assessor", S.AUDITED, comment="重复提交")  # a double submit changes nothing
    assert list(reward.steps.values_list("status", "comment")) == [(S.PROPOSED, "年度招商先进个人"),
                                                                  (S.AUDITED, "材料属实")]
    with pytest.raises(PermissionDenied):
        advance(world, reward, "assessor", S.DECIDED)
    advance(world, reward, "leader", S.DECIDED)
    advance(world, reward, "bureau", S.PUBLISHED)
    reward.refresh_from_db()
    assert reward.status == S.PUBLISHED and reward.published_until > timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        advance(world, reward, "finance", S.PAID, run_year=YEAR)
    assert "publication period" in " ".join(refused.value.messages)
    assert rewards.rewards_pay(year=YEAR, user=world.users["finance"]) == 0  # still published
    Reward.objects.filter(pk=reward.pk).update(published_until=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        rewards.rewards_pay(year=YEAR, user=world.users["bureau"])
    assert rewards.rewards_pay(year=YEAR, user=world.users["finance"]) == 1
    assert rewards.rewards_pay(year=YEAR, user=world.users["finance"]) == 0  # nothing paid twice
    reward.refresh_from_db()
    assert reward.status == S.PAID
    assert [step.status for step in reward.steps.all()] == [S.PROPOSED, S.AUDITED, S.DECIDED, S.PUBLISHED, S.PAID]


def test_one_person_never_audits_and_decides_the_same_reward_nor_acts_on_their_own(world, rules):
    both = UserFactory(username="audit_leader", roles=[Role.AUDIT, Role.LEADERSHIP])
    reward = award(world)
    rewards.reward_advance(reward=reward, user=both, to_status=S.AUDITED)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        rewards.reward_advance(reward=reward, user=both, to_status=S.DECIDED)
    assert "one person proposes, another audits, another decides" in " ".join(refused.value.messages)
    # staff_a, given the auditor's role, still cannot audit an award to staff_a.
    own = award(world)
    world.users["staff_a"].groups.add(Group.objects.get(name=Role.AUDIT))
    staff_a = type(world.users["staff_a"]).objects.get(pk=world.users["staff_a"].pk)  # roles read afresh
    with pytest.raises(ValidationError):
        rewards.reward_advance(reward=own, user=staff_a, to_status=S.AUDITED)
    assert rewards.allowed_moves(staff_a, own) == []
    own.refresh_from_db()
    assert own.status == S.PROPOSED


def test_rejecting_needs_a_reason_and_a_rejected_reward_goes_no_further(world, rules):
    reward = award(world)
    with pytest.raises(ValidationError):
        advance(world, reward, "assessor", S.REJECTED)
    advance(world, reward, "assessor", S.REJECTED, comment="不符合评选条件")
    with pytest.raises(ValidationError):
        advance(world, reward, "assessor", S.AUDITED)
    reward.refresh_from_db()
    assert reward.status == S.REJECTED


def test_the_leading_group_may_change_an_awards_amount_with_a_reason_but_not_a_computed_one(world, rules):
    reward = award(world, amount="5000")
    advance(world, reward, "assessor", S.AUDITED)
    with pytest.raises(ValidationError):
        advance(world, reward, "leader", S.DECIDED, amount="3000")  # no reason
    advance(world, reward, "leader", S.DECIDED, amount="3000", comment="按名额调整")
    reward.refresh_from_db()
    assert (reward.status, reward.amount) == (S.DECIDED, Decimal("3000"))
    project = signed(world, "800")
    compute(world)
    computed = first_provider(project)
    advance(world, computed, "assessor", S.AUDITED)
    with pytest.raises(ValidationError):
        advance(world, computed, "leader", S.DECIDED, amount="9000", comment="多给")


def test_payment_is_once_a_year_for_that_years_rewards_and_in_the_payment_month_when_set(world, rules):
    last_year = to_published(world, award(world, year=YEAR - 1))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        advance(world, last_year, "finance", S.PAID, run_year=YEAR)
    assert "paid once a year" in " ".join(refused.value.messages)
    assert rewards.rewards_pay(year=YEAR, user=world.users["finance"]) == 0
    this_year = to_published(world, award(world))
    rules.payment_month = timezone.localdate().month % 12 + 1  # next month
    rules.save()
    with pytest.raises(ValidationError):
        rewards.rewards_pay(year=YEAR, user=world.users["finance"])
    rules.payment_month = timezone.localdate().month
    rules.save()
    assert rewards.rewards_pay(year=YEAR, user=world.users["finance"]) == 1
    this_year.refresh_from_db()
    last_year.refresh_from_db()
    assert (this_year.status, last_year.status) == (S.PAID, S.PUBLISHED)


def test_a_reward_found_to_rest_on_fraud_is_clawed_back_with_the_amount_to_recover(world, rules):
    reward = to_published(world, award(world, amount="8000"))
    rewards.rewards_pay(year=YEAR, user=world.users["finance"])
    for persona in ("bureau", "assessor", "finance"):
        with pytest.raises(PermissionDenied):
            rewards.reward_claw_back(reward=reward, user=world.users[persona], reason="弄虚作假")
    with pytest.raises(ValidationError):
        rewards.reward_claw_back(reward=reward, user=world.users["leader"], reason=" ")
    rewards.reward_claw_back(reward=reward, user=world.users["leader"], reason="审计发现虚报投资额")
    rewards.reward_claw_back(reward=reward, user=world.users["leader"], reason="再次提交")  # changes nothing
    reward.refresh_from_db()
    assert (reward.status, reward.amount) == (S.CLAWED_BACK, Decimal("8000"))  # the paid amount is not edited
    step = reward.steps.last()
    assert (step.status, step.amount_to_recover, step.comment) == (S.CLAWED_BACK, Decimal("8000"), "审计发现虚报投资额")
    assert reward.steps.filter(status=S.CLAWED_BACK).count() == 1
    with pytest.raises(ValidationError):  # a proposal is rejected, not clawed back
        rewards.reward_claw_back(reward=award(world), user=world.users["leader"], reason="弄虚作假")


def test_an_unpaid_reward_clawed_back_has_nothing_to_recover(world, rules):
    reward = award(world)
    advance(world, reward, "assessor", S.AUDITED)
    advance(world, reward, "leader", S.DECIDED)
    rewards.reward_claw_back(reward=reward, user=world.users["leader"], reason="举报属实")
    assert reward.steps.last().amount_to_recover == 0


# --- Awards and bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"amount": "-100"}, "amount"), ({"amount": "0"}, "amount"), ({"amount": "abc"}, "amount"),
    ({"amount": "10.001"}, "amount"), ({"amount": "NaN"}, "amount"), ({"year": YEAR + 1}, "year"),
    ({"year": "last"}, "year"), ({"explanation": "  "}, "explanation"), ({"kind": "first_provider"}, "kind"),
    ({"kind": "collective"}, "recipient_person"),
    ({"recipient_person": None}, "recipient_name"),
])
def test_an_award_with_bad_input_is_refused_and_nothing_is_saved(world, fields, field):
    with pytest.raises(ValidationError) as refused:
        award(world, **fields)
    assert field in refused.value.message_dict
    assert not Reward.objects.exists()


def test_collective_and_single_item_awards_go_to_units_or_groups(world):
    collective = award(world, kind="collective", recipient_person=None, recipient_unit=world.unit_b, amount="20000")
    single = award(world, kind="single_item", recipient_person=None, recipient_name="招商一组", amount="6000")
    assert (collective.recipient_name, single.recipient_name) == (str(world.unit_b), "招商一组")
    with pytest.raises(PermissionDenied):
        award(world, persona="leader")
    with pytest.raises(ValidationError):  # the bureau does not propose a reward to its own unit
        award(world, kind="collective", recipient_person=None,
              recipient_unit=world.person("bureau").home_unit)


def test_the_bureau_proposes_an_award_on_the_page_and_bad_amounts_come_back(world, client_for):
    client = client_for("bureau")
    url = reverse("scoring:award_propose")
    data = {"year": YEAR, "kind": "individual", "recipient_person": world.person("staff_a").pk,
            "explanation": "引进重大项目", "amount": "abc"}
    for bad in ("abc", "-5", "0"):
        response = client.post(url, data | {"amount": bad})
        assert response.status_code == 200 and response.context["form"].errors["amount"]
    response = client.post(url, data | {"year": YEAR + 1, "amount": "500"})
    assert response.status_code == 200 and response.context["form"].errors["year"]
    assert not Reward.objects.exists()
    response = client.post(url, data | {"amount": "5000.50"})
    reward = Reward.objects.get()
    assert response.status_code == 302 and response["Location"] == reward.get_absolute_url()
    assert (reward.amount, reward.recipient_name, reward.recipient_user) == (
        Decimal("5000.50"), "staff_a", world.users["staff_a"])


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_reward_page_shows_the_actions_of_the_reader_and_takes_them(world, rules, client_for):
    reward = award(world)
    page = client_for("assessor").get(reward.get_absolute_url())
    assert [label for _status, label in page.context["moves"]] == [S.AUDITED.label, S.REJECTED.label]
    assert client_for("bureau").get(reward.get_absolute_url()).context["moves"] == []
    url = reverse("scoring:reward_advance", args=[reward.pk])
    assert client_for("chief_a").post(url, {"to": S.AUDITED}).status_code == 403
    assert client_for("bureau").post(url, {"to": S.AUDITED}).status_code == 403
    assert client_for("assessor").post(url, {"to": S.AUDITED}).status_code == 302
    reward.refresh_from_db()
    assert reward.status == S.AUDITED
    page = client_for("leader").get(reward.get_absolute_url())
    assert page.context["amount_decided"] and 'name="amount"' in page.content.decode()


def test_the_bureau_computes_from_the_list_and_sees_what_was_not_rewarded(world, rules, client_for):
    signed(world, "800")
    signed(world, "100", "小项目")
    response = client_for("bureau").post(reverse("scoring:reward_compute"), {"year": YEAR}, follow=True)
    texts = [str(message) for message in response.context["messages"]]
    assert Reward.objects.count() == 1
    assert any("小项目" in text for text in texts)
    assert client_for("assessor").post(reverse("scoring:reward_compute"), {"year": YEAR}).status_code == 403


def test_a_profile_without_reward_rules_says_so_and_computes_nothing(world, client_for):
    signed(world, "800")  # the active profile is Xiangzhou
    page = client_for("leader").get(reverse("scoring:reward_list"), {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["rules"] is None
    assert "has no reward rules" in page.content.decode()
    assert compute(world)["created"] == 0 and not Reward.objects.exists()


@pytest.mark.parametrize("count", [1, 8])
def test_the_reward_list_runs_the_same_queries_whatever_the_number_of_rewards(world, rules, client_for,
                                                                            django_assert_num_queries, count):
    for number in range(count):
        signed(world, "800", f"项目{number}", introducer_unit=world.unit_b, started_on=datetime.date(YEAR, 6, 1),
               actual_fixed_asset_investment=600 * WAN)
    compute(world)
    award(world)
    client = client_for("finance")
    # The 6 of every page, then the rewards (with their leads, units and settlements), the year's
    # penalty lines (with groups and heads) and the rules in force.
    with django_assert_num_queries(9):
        response = client.get(reverse("scoring:reward_list"), {"year": YEAR})
    assert len(response.context["rewards"]) == 2 * count + 1
    assert response.context["total"] == count * (1000 + 30000) + 5000  # 800万 signed; 0.5 % of 600万 started


# --- The sheets -------------------------------------------------------------------------------------------------


def test_the_rewards_sheet_reads_back_and_its_total_is_the_sum_to_the_fen(world, rules, client_for):
    signed(world, "800", "一号")
    signed(world, "1000.01", "二号")
    compute(world)
    award(world, amount="1234.56")
    award(world, amount="99.99", recipient_person=None, recipient_name="=HYPERLINK(\"x\")")
    clawed = to_published(world, award(world, amount="700"))
    rewards.rewards_pay(year=YEAR, user=world.users["finance"])
    rewards.reward_claw_back(reward=clawed, user=world.users["leader"], reason="虚报")
    rejected = award(world, amount="4444")
    advance(world, rejected, "assessor", S.REJECTED, comment="不符合条件")
    response = client_for("finance").get(reverse("scoring:reward_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "finance" in sheet["A2"].value  # the internal-material marking
    assert len([cell.value for cell in sheet[4]]) == 14
    amount, clawed_column = 11, 12  # columns L and M: amount, clawed back
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    body, total = rows[:-1], rows[-1]
    assert len(body) == 5  # two computed, two awards, the clawed-back one; not the rejected one
    amounts = [Decimal(str(row[amount])) for row in body if row[amount] is not None]
    assert sorted(amounts) == sorted(Decimal(value) for value in ("1000", "3000", "1234.56", "99.99"))
    assert Decimal(str(total[amount])) == sum(amounts) == Decimal("5334.55")
    assert Decimal(str(total[clawed_column])) == Decimal("700")
    assert sheet.cell(row=5, column=amount + 1).number_format == '#,##0.00"元"'
    names = [row[1] for row in body]
    assert '=HYPERLINK("x")' in names
    cell = next(cell for cell in sheet["B"] if cell.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"  # text, never a formula


def test_the_penalties_sheet_lists_each_money_penalty_with_its_base_in_one_query(world, client_for,
                                                                               django_assert_num_queries):
    activate_preset("all-staff")
    units = ScoringScheme.objects.get(version__profile__code="all-staff", code="units")
    cadres = ScoringScheme.objects.get(version__profile__code="all-staff", code="cadres")
    SchemeSubject.objects.create(scheme=units, unit=world.unit_a, group="unit", heads=10)
    SchemeSubject.objects.create(scheme=cadres, person=world.person("chief_b"), group="middle")
    first, last = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    engine.evaluate(scheme=units, first=first, last=last, unit=world.unit_a)
    engine.evaluate(scheme=cadres, first=first, last=last, person=world.person("chief_b"))
    with django_assert_num_queries(1):
        lines = rewards.penalty_lines(YEAR)
    assert [(str(line.evaluation.subject), line.group, line.base, line.heads, line.money) for line in lines] == [
        ("chief_b", "middle", Decimal("3600"), 1, Decimal("3600.00")),
        (str(world.unit_a), "unit", Decimal("3500"), 10, Decimal("35000.00"))]
    response = client_for("assessor").get(reverse("scoring:penalty_export"), {"year": YEAR})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert [(row[1], row[5], row[6]) for row in rows[:-1]] == [("chief_b", 3600, 1), (str(world.unit_a), 3500, 10)]
    assert [row[4] for row in rows[:-1]] == [1, 1]  # nothing done: the whole target missed
    assert Decimal(str(rows[-1][7])) == Decimal("38600.00") == sum(Decimal(str(row[7])) for row in rows[:-1])
    assert client_for("chief_a").get(reverse("scoring:penalty_export"), {"year": YEAR}).status_code == 403
    assert IntroducerSettlement.objects.count() == 0


def test_finance_pays_and_leadership_claws_back_on_the_pages(world, rules, client_for):
    reward = to_published(world, award(world, amount="3000"))
    assert client_for("leader").post(reverse("scoring:reward_pay"), {"year": YEAR}).status_code == 403
    response = client_for("finance").post(reverse("scoring:reward_pay"), {"year": YEAR})
    assert response.status_code == 302 and response["Location"] == f"{reverse('scoring:reward_list')}?year={YEAR}"
    reward.refresh_from_db()
    assert reward.status == S.PAID
    url = reverse("scoring:reward_claw_back", args=[reward.pk])
    page = client_for("leader").get(reward.get_absolute_url())
    assert page.context["may_claw_back"] and not client_for("finance").get(
        reward.get_absolute_url()).context["may_claw_back"]
    assert client_for("leader").post(url, {"reason": ""}).status_code == 302
    reward.refresh_from_db()
    assert reward.status == S.PAID  # no reason, no clawback
    assert client_for("leader").post(url, {"reason": "纪委查实虚报"}).status_code == 302
    reward.refresh_from_db()
    assert reward.status == S.CLAWED_BACK and reward.steps.last().amount_to_recover == Decimal("3000")
