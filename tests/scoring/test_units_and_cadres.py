"""Units and cadres as subjects: Huaiyin's weighted indicators against group targets, all-staff
targets by rank with money penalties, the veto on excellent, and the batch that scores every
subject with a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead
from scoring import engine, grades, workflow
from scoring.models import Evaluation, EvaluationLine, Grade, SchemeSubject, ScoringScheme
from stations.models import Station

from ..conftest import activate_preset
from ..factories import StationFactory, UnitFactory

YEAR = 2026
FIRST, LAST = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
WAN = Decimal("10000")


def lead(world, *, by="chief_a", station=None, **fields):
    return Lead.objects.create(
        station=station or world.station_a, title=fields.pop("title", "项目"),
        filed_at=timezone.make_aware(datetime.datetime(YEAR, 2, 1)), filed_by=world.users[by],
        created_by=world.users[by], **fields)


def by_code(evaluation):
    return {line.item.code: line for line in evaluation.lines.select_related("item")}


@pytest.fixture
def huaiyin(world):
    activate_preset("huaiyin")
    scheme = ScoringScheme.objects.get(version__profile__code="huaiyin", code="units")
    for item in scheme.items.all():
        item.params = {**item.params, "targets_by_group": {"town": "2", "platform": "4"}}
        item.full_clean()
        item.save()
    SchemeSubject.objects.create(scheme=scheme, unit=world.unit_a, group="town")
    SchemeSubject.objects.create(scheme=scheme, unit=world.unit_b, group="platform")
    return scheme


def test_a_unit_scores_its_weight_times_the_share_of_its_groups_target(world, huaiyin):
    lead(world, introducer_unit=world.unit_a, signed_on=datetime.date(YEAR, 3, 1), started_on=datetime.date(YEAR, 5, 1))
    lead(world, introducer_unit=world.unit_a, signed_on=datetime.date(YEAR, 4, 1), started_on=datetime.date(YEAR, 6, 1),
         completed_on=datetime.date(YEAR, 11, 1))
    lead(world, introducer_unit=world.unit_b, signed_on=datetime.date(YEAR, 4, 1))
    lead(world, signed_on=datetime.date(YEAR, 4, 1))  # no introducing unit: nobody's
    targets = engine.targets_for(huaiyin, FIRST, LAST)
    evaluations, kept = engine.evaluate_all(scheme=huaiyin, first=FIRST, last=LAST, targets=targets)
    assert kept == 0 and len(evaluations) == 2
    town = Evaluation.objects.get(unit=world.unit_a, scheme=huaiyin)
    lines = by_code(town)
    # Town group targets are 2: two signed (8 × 1), two started (30 × 1), one under construction at
    # the year's end (10 × 0.5), one completed (35 × 0.5).
    assert [lines[code].points for code in ("new-attracted", "new-started", "under-construction", "new-completed")] \
        == [Decimal("8"), Decimal("30"), Decimal("5"), Decimal("17.5")]
    assert len(lines["new-attracted"].evidence) == 2
    # Output quality and process need figures the system does not hold: the assessor scores them.
    assert lines["output-quality"].points is None and town.total is None
    platform = by_code(Evaluation.objects.get(unit=world.unit_b, scheme=huaiyin))
    assert platform["new-attracted"].points == Decimal("2") and platform["new-attracted"].shortfall == Decimal("0.75")


def test_indicators_scored_by_hand_take_a_reason_and_complete_the_total(world, huaiyin):
    evaluation = engine.evaluate(scheme=huaiyin, first=FIRST, last=LAST, unit=world.unit_a)
    lines = by_code(evaluation)
    for code, points in (("output-quality", "6"), ("process", "7")):
        engine.judge(line=lines[code], user=world.users["assessor"], points=Decimal(points), reason="按季度调度")
    with pytest.raises(ValidationError):
        engine.judge(line=lines["process"], user=world.users["assessor"], points=Decimal("8"), reason="超出权重")
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("13")
    # Recomputing keeps the assessor's scores.
    evaluation = engine.evaluate(scheme=huaiyin, first=FIRST, last=LAST, unit=world.unit_a)
    assert evaluation.total == Decimal("13") and by_code(evaluation)["process"].reason == "按季度调度"


def test_a_unit_without_a_target_for_its_group_is_refused_and_nothing_is_written(world, huaiyin):
    SchemeSubject.objects.filter(unit=world.unit_b).update(group="general")
    with pytest.raises(ValidationError, match="general"):
        engine.evaluate_all(scheme=huaiyin, first=FIRST, last=LAST, targets=engine.targets_for(huaiyin, FIRST, LAST))
    assert not Evaluation.objects.filter(scheme=huaiyin).exists()


def test_a_unit_is_confirmed_by_its_own_staff_and_never_reviewed_by_them(world, huaiyin):
    evaluation = engine.evaluate(scheme=huaiyin, first=FIRST, last=LAST, unit=world.unit_a)
    assert workflow.is_subject(world.users["home_unit"], evaluation)
    assert not workflow.is_subject(world.users["chief_a"], evaluation)
    assert engine.access.may_review(world.users["assessor"], evaluation)
    assert engine.access.evaluations_for(world.users["home_unit"]).filter(pk=evaluation.pk).exists()
    assert not engine.access.evaluations_for(world.users["chief_b"]).filter(pk=evaluation.pk).exists()


@pytest.fixture
def all_staff(world):
    activate_preset("all-staff")
    cadres = ScoringScheme.objects.get(version__profile__code="all-staff", code="cadres")
    SchemeSubject.objects.create(scheme=cadres, person=world.person("chief_a"), group="leader")
    SchemeSubject.objects.create(scheme=cadres, person=world.person("staff_a"), group="middle")
    return cadres


def test_a_cadre_meets_the_target_of_any_sector_on_their_own_leads(world, all_staff):
    # chief_a (a leader: 1000万 industrial or 5000万 tertiary) brought 2500万 tertiary: half of 5000万,
    # a quarter of nothing industrial — the better share counts.
    lead(world, first_provider_user=world.users["chief_a"], category="tertiary",
         fixed_asset_investment=2500 * WAN, signed_on=datetime.date(YEAR, 6, 1))
    # staff_a (middle: 500万 industrial) brought 600万 industrial: the target is met.
    lead(world, first_provider_user=world.users["staff_a"], category="industrial",
         fixed_asset_investment=600 * WAN, signed_on=datetime.date(YEAR, 6, 1), by="staff_a")
    # Signed the year before: not this year's.
    lead(world, first_provider_user=world.users["chief_a"], category="industrial",
         fixed_asset_investment=2000 * WAN, signed_on=datetime.date(YEAR - 1, 12, 31))
    evaluations, _kept = engine.evaluate_all(scheme=all_staff, first=FIRST, last=LAST,
                                             targets=engine.targets_for(all_staff, FIRST, LAST))
    chief = by_code(Evaluation.objects.get(scheme=all_staff, person=world.person("chief_a")))
    staff = by_code(Evaluation.objects.get(scheme=all_staff, person=world.person("staff_a")))
    assert chief["investment"].points == Decimal("30") and chief["investment"].shortfall == Decimal("0.5")
    assert staff["investment"].points == Decimal("60") and staff["investment"].shortfall == 0
    # The penalty: the leader's base 4800 × half the target missed; none for the cadre who met it.
    assert chief["penalty"].money == Decimal("2400.00") and chief["penalty"].points is None
    assert staff["penalty"].money == Decimal("0.00")
    # Money is never part of the points.
    evaluation = Evaluation.objects.get(scheme=all_staff, person=world.person("chief_a"))
    assert evaluation.total == chief["investment"].points + chief["valuable-leads"].points
    assert evaluation.station is None


@pytest.fixture
def units(world):
    activate_preset("all-staff")
    scheme = ScoringScheme.objects.get(version__profile__code="all-staff", code="units")
    SchemeSubject.objects.create(scheme=scheme, unit=world.unit_a, group="unit", heads=20)
    return scheme


def test_a_unit_missing_its_target_pays_per_head_and_cannot_be_excellent(world, units):
    lead(world, introducer_unit=world.unit_a, category="industrial", fixed_asset_investment=4000 * WAN,
         signed_on=datetime.date(YEAR, 9, 1))
    evaluation = engine.evaluate(scheme=units, first=FIRST, last=LAST, unit=world.unit_a)
    lines = by_code(evaluation)
    assert lines["investment"].shortfall == Decimal("0.2")
    assert lines["penalty"].money == Decimal("3500") * 20 * Decimal("0.2")
    assert lines["veto"].forbids == Grade.EXCELLENT
    assert grades.advice(evaluation)["forbids_excellent"]
    with pytest.raises(ValidationError, match="一票否决"):
        grades.grade_decide(evaluation=evaluation, user=world.users["assessment"] if "assessment" in world.users
                            else world.users["bureau"], grade=Grade.EXCELLENT)
    # Meeting the target lifts the veto and the penalty.
    lead(world, introducer_unit=world.unit_a, category="industrial", fixed_asset_investment=1000 * WAN,
         signed_on=datetime.date(YEAR, 10, 1))
    evaluation = engine.evaluate(scheme=units, first=FIRST, last=LAST, unit=world.unit_a)
    lines = by_code(evaluation)
    assert lines["veto"].forbids == "" and lines["penalty"].money == 0
    grades.grade_decide(evaluation=evaluation, user=world.users["bureau"], grade=Grade.EXCELLENT)


def test_a_unit_scheme_scores_only_its_listed_units(world, units):
    with pytest.raises(ValidationError):
        engine.evaluate(scheme=units, first=FIRST, last=LAST, unit=world.unit_b)


def _queries(scheme, targets):
    with CaptureQueriesContext(connection) as captured:
        engine.evaluate_all(scheme=scheme, first=FIRST, last=LAST, targets=targets)
    return len(captured)


@pytest.mark.parametrize("recompute", [False, True])
def test_a_years_scores_take_the_same_queries_for_one_team_and_for_many(world, recompute):
    scheme = ScoringScheme.objects.get(version__profile__is_active=True, code="stations")
    for number in range(6):
        station = StationFactory(name=f"驻{number}站", code=f"S{number}", forming_units=[UnitFactory()])
        lead(world, station=station, signed_on=datetime.date(YEAR, 3, 1), total_investment=2 * Decimal("1e8"))
    stations = list(Station.objects.order_by("pk"))
    one, many = [engine.Target(station=stations[0])], [engine.Target(station=s) for s in stations]
    if recompute:
        _queries(scheme, many)
    assert _queries(scheme, one) == _queries(scheme, many)
    assert Evaluation.objects.filter(scheme=scheme).count() == len(stations)
    assert EvaluationLine.objects.filter(evaluation__scheme=scheme).count() == len(stations) * scheme.items.count()


def test_a_units_page_shows_the_penalty_in_yuan_the_veto_and_a_form_for_the_indicators_scored_by_hand(
        world, units, huaiyin, client_for):
    from django.urls import reverse

    evaluation = engine.evaluate(scheme=units, first=FIRST, last=LAST, unit=world.unit_a)
    page = client_for("assessor").get(reverse("scoring:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "70000.00" in page  # 3500 × 20 heads × the whole target missed
    assert str(world.unit_a) in page
    indicators = engine.evaluate(scheme=huaiyin, first=FIRST, last=LAST, unit=world.unit_a)
    page = client_for("assessor").get(reverse("scoring:evaluation_detail", args=[indicators.pk])).content.decode()
    process = indicators.lines.get(item__code="process")
    new_started = indicators.lines.get(item__code="new-started")
    assert reverse("scoring:line_judge", args=[indicators.pk, process.pk]) in page
    assert reverse("scoring:line_judge", args=[indicators.pk, new_started.pk]) not in page
    # The unit's own staff read it but may not score it.
    page = client_for("home_unit").get(reverse("scoring:evaluation_detail", args=[indicators.pk])).content.decode()
    assert reverse("scoring:line_judge", args=[indicators.pk, process.pk]) not in page
