"""Evaluating the Shanting person sheet: every line's points and the evidence behind them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead, Stage, StageChange
from scoring import engine
from scoring.models import Finding, ScoringScheme
from stations.models import Event, SpotCheck

from ..conftest import activate_preset

YEAR = 2026
FIRST, LAST = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
YI = Decimal("100000000")


@pytest.fixture
def sheet(world):
    activate_preset("shanting")
    return ScoringScheme.objects.get(version__profile__code="shanting", code="person-sheet")


def leads(world, count, **fields):
    made = []
    for number in range(count):
        made.append(Lead.objects.create(
            station=world.station_a, title=f"项目{number}-{fields.get('signed_on', '')}",
            filed_at=timezone.make_aware(datetime.datetime(YEAR, 3, 1)), filed_by=world.users["chief_a"],
            created_by=world.users["chief_a"], **fields))
    return made


def lines(evaluation):
    return {line.item.code: line for line in evaluation.lines.select_related("item")}


def evaluate(sheet, world, persona="staff_a"):
    return engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.station_a,
                           person=world.person(persona))


@pytest.mark.parametrize(("count", "points"), [(15, 30), (18, 36), (10, 20), (0, 0)])
def test_leads_score_two_points_a_lead_either_side_of_fifteen_with_a_floor_of_zero(world, sheet, count, points):
    leads(world, count)
    line = lines(evaluate(sheet, world))["leads"]
    assert (line.value, line.points) == (str(count), Decimal(points))
    assert len(line.evidence) == count
    if count:
        assert line.evidence[0]["url"] == reverse("leads:detail", args=[line.evidence[0]["id"]])


def test_duplicates_never_count(world, sheet):
    made = leads(world, 15)
    Lead.objects.filter(pk=made[0].pk).update(duplicate_status="duplicate", duplicate_of=made[1])
    assert lines(evaluate(sheet, world))["leads"].points == Decimal("28")


def test_a_project_of_exactly_one_yi_signed_scores_and_extras_and_landing_add(world, sheet):
    leads(world, 1, fixed_asset_investment=YI - 1, signed_on=datetime.date(YEAR, 5, 1))
    assert lines(evaluate(sheet, world))["big-project"].points == 0
    leads(world, 1, fixed_asset_investment=YI, signed_on=datetime.date(YEAR, 6, 1))  # 过亿 read as ≥ 1亿
    assert lines(evaluate(sheet, world))["big-project"].points == 30
    leads(world, 1, fixed_asset_investment=3 * YI, signed_on=datetime.date(YEAR, 7, 1),
          started_on=datetime.date(YEAR, 9, 1))
    line = lines(evaluate(sheet, world))["big-project"]
    assert (line.value, line.points) == ("2", Decimal("60"))  # 30 + 15 for the second + 15 landed
    assert len(line.evidence) == 2


def test_presence_loses_five_a_check_and_everything_at_two_for_one_person(world, sheet):
    def check(persona, day):
        SpotCheck.objects.create(person=world.person(persona), station=world.station_a,
                                 date=datetime.date(YEAR, 4, day), method="phone", result="abnormal", note="不在岗",
                                 checked_by=world.users["bureau"])

    check("staff_a", 1)
    assert lines(evaluate(sheet, world))["presence"].points == 10
    assert lines(evaluate(sheet, world, "chief_a"))["presence"].points == 15  # the person's own checks
    check("staff_a", 2)
    line = lines(evaluate(sheet, world))["presence"]
    assert (line.points, len(line.evidence)) == (0, 2)


def test_hosting_an_event_with_five_invited_enterprises_scores_fifteen(world, sheet):
    Event.objects.create(station=world.station_a, title="推介会", date=datetime.date(YEAR, 5, 1), role="hosted",
                         invited_enterprises=4, created_by=world.users["chief_a"])
    assert lines(evaluate(sheet, world))["events"].points == 0
    Event.objects.create(station=world.station_a, title="恳谈会", date=datetime.date(YEAR, 6, 1), role="hosted",
                         invited_enterprises=5, is_large=True, status="approved", approved_in_advance=True,
                         created_by=world.users["chief_a"])
    assert lines(evaluate(sheet, world))["events"].points == 15


def test_deductions_count_findings_and_projects_lost_through_poor_service(world, sheet):
    lead = leads(world, 1, lost_poor_service=True)[0]
    change = StageChange.objects.create(lead=lead, from_stage=Stage.NEGOTIATION, to_stage=Stage.LOST,
                                        by=world.users["bureau"])
    StageChange.objects.filter(pk=change.pk).update(at=timezone.make_aware(datetime.datetime(YEAR, 8, 1)))
    Finding.objects.create(station=world.station_a, person=world.person("staff_a"), kind="eight_point_rules",
                           date=datetime.date(YEAR, 9, 1), description="违规接受宴请",
                           recorded_by=world.users["bureau"])
    found = lines(evaluate(sheet, world))
    assert (found["lost-projects"].points, found["eight-point"].points) == (-10, -10)
    assert lines(evaluate(sheet, world, "chief_a"))["eight-point"].points == 0  # staff_a's own finding


def test_the_total_waits_for_the_judgement_which_needs_a_reason_and_survives_recomputing(world, sheet):
    leads(world, 15)
    evaluation = evaluate(sheet, world)
    assert evaluation.total is None
    line = lines(evaluation)["daily-work"]
    with pytest.raises(PermissionDenied):  # bureau_a is posted to station A
        engine.judge(line=line, user=world.users["bureau_a"], points=Decimal("8"), reason="遵守纪律")
    with pytest.raises(ValidationError):
        engine.judge(line=line, user=world.users["bureau"], points=Decimal("11"), reason="超出满分")
    with pytest.raises(ValidationError):
        engine.judge(line=line, user=world.users["bureau"], points=Decimal("8"), reason=" ")
    engine.judge(line=line, user=world.users["bureau"], points=Decimal("8"), reason="按时报送，纪律良好")
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("30") + 15 + 8  # leads, presence untouched, judgement
    evaluation = evaluate(sheet, world)  # recomputed: the judgement stays
    assert lines(evaluation)["daily-work"].points == 8 and evaluation.total == Decimal("53")


def test_why_these_points_is_one_click_for_the_office_and_the_person_only(world, sheet, client_for):
    leads(world, 16)
    evaluation = evaluate(sheet, world)
    page = client_for("bureau").get(evaluation.get_absolute_url()).content.decode()
    assert 'data-testid="line-leads"' in page and "项目0-" in page
    assert client_for("staff_a").get(evaluation.get_absolute_url()).status_code == 200
    assert client_for("chief_a").get(evaluation.get_absolute_url()).status_code == 404  # a colleague's score
    assert client_for("home_unit").get(evaluation.get_absolute_url()).status_code == 404


def test_the_bureau_computes_a_years_sheets_from_the_list(world, sheet, client_for):
    leads(world, 15)
    response = client_for("bureau").post(reverse("scoring:evaluation_compute"), {"scheme": sheet.pk, "year": YEAR})
    assert response.status_code == 302
    from scoring.models import Evaluation

    # Everyone posted to a team the bureau reviews: chief_a, staff_a, bureau_a and chief_b.
    assert Evaluation.objects.filter(scheme=sheet).count() == 4
    listing = client_for("bureau").get(reverse("scoring:evaluation_list"), {"year": YEAR})
    assert listing.context["schemes"][0]["rows"]
    assert client_for("chief_a").post(reverse("scoring:evaluation_compute"),
                                      {"scheme": sheet.pk, "year": YEAR}).status_code == 403


def test_a_half_year_evaluation_runs_the_same_scheme_on_the_first_six_months(world, sheet, client_for):
    leads(world, 3)  # filed in March
    Lead.objects.create(station=world.station_a, title="下半年项目", filed_by=world.users["chief_a"],
                        filed_at=timezone.make_aware(datetime.datetime(YEAR, 9, 1)), created_by=world.users["chief_a"])
    client_for("bureau").post(reverse("scoring:evaluation_compute"), {"scheme": sheet.pk, "year": YEAR,
                                                                      "period": "h1"})
    from scoring.models import Evaluation

    half = Evaluation.objects.get(scheme=sheet, person=world.person("staff_a"))
    assert (half.period_start, half.period_end) == (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 6, 30))
    assert lines(half)["leads"].value == "3"
    listing = client_for("bureau").get(reverse("scoring:evaluation_list"), {"year": YEAR, "period": "h1"})
    assert half in [row["evaluation"] for row in listing.context["schemes"][0]["rows"]]
    assert client_for("bureau").get(reverse("scoring:evaluation_list"), {"year": YEAR}).context[
        "schemes"][0]["rows"] == []


def test_grades_follow_the_scale_the_rules_and_the_quota(world, sheet):
    from scoring import grades

    sheet.excellent_quota = 1
    sheet.save()
    leads(world, 15, fixed_asset_investment=YI, signed_on=datetime.date(YEAR, 5, 1))
    staff, chief = evaluate(sheet, world), evaluate(sheet, world, "chief_a")
    with pytest.raises(ValidationError):  # the judgement comes first
        grades.grade_decide(evaluation=staff, user=world.users["assessor"], grade="excellent")
    for evaluation in (staff, chief):
        engine.judge(line=lines(evaluation)["daily-work"], user=world.users["bureau"], points=Decimal("8"),
                     reason="纪律良好")
        evaluation.refresh_from_db()
    assert grades.advice(staff)["recommends_excellent"]  # a project over 1亿
    with pytest.raises(ValidationError):  # recommended excellent: another grade needs a reason
        grades.grade_decide(evaluation=staff, user=world.users["assessor"], grade="competent")
    with pytest.raises(PermissionDenied):  # bureau_a is posted to station A
        grades.grade_decide(evaluation=staff, user=world.users["bureau_a"], grade="excellent")
    grades.grade_decide(evaluation=staff, user=world.users["assessor"], grade="excellent")
    with pytest.raises(ValidationError):  # the quota of one is used
        grades.grade_decide(evaluation=chief, user=world.users["assessor"], grade="excellent")
    grades.grade_decide(evaluation=chief, user=world.users["assessor"], grade="competent", reason="名额已满")
    world.person("staff_a").staff_category = "institution"
    world.person("staff_a").save()
    staff.refresh_from_db()
    assert grades.scale_for(staff)[staff.grade] == "优秀"
    assert grades.scale_for(staff)["competent"] == "合格"  # public-institution words
    assert grades.scale_for(chief)["competent"] == "称职"


def test_at_or_below_the_interview_line_excellent_is_forbidden(world, sheet):
    from scoring import grades

    evaluation = evaluate(sheet, world)  # no leads, nothing: far below 60
    engine.judge(line=lines(evaluation)["daily-work"], user=world.users["bureau"], points=Decimal("5"), reason="一般")
    evaluation.refresh_from_db()
    assert grades.advice(evaluation)["forbids_excellent"]
    with pytest.raises(ValidationError):
        grades.grade_decide(evaluation=evaluation, user=world.users["bureau"], grade="excellent")


def test_the_ranking_board_shows_items_totals_and_the_change_on_the_year_before(world, sheet, client_for):
    from scoring.models import Evaluation

    leads(world, 15)
    for persona in ("staff_a", "chief_a", "chief_b"):
        evaluation = engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.postings[persona].station,
                                     person=world.person(persona))
        engine.judge(line=lines(evaluation)["daily-work"], user=world.users["assessor"], points=Decimal("8"),
                     reason="纪律良好")
    before = Evaluation.objects.get(scheme=sheet, person=world.person("staff_a"))
    Evaluation.objects.create(scheme=sheet, station=world.station_a, person=world.person("staff_a"),
                              period_start=datetime.date(YEAR - 1, 1, 1), period_end=datetime.date(YEAR - 1, 12, 31),
                              total=before.total - 10)
    response = client_for("bureau").get(reverse("scoring:evaluation_list"), {"year": YEAR})
    board = next(block for block in response.context["schemes"] if block["scheme"] == sheet)
    assert [row["evaluation"].person.name for row in board["rows"][:2]] == ["staff_a", "chief_a"]  # 53 each
    staff = next(row for row in board["rows"] if row["evaluation"].person == world.person("staff_a"))
    assert staff["change"] == Decimal("10")
    assert staff["points"][0] == Decimal("30")  # the leads item, first column
    chief_b = next(row for row in board["rows"] if row["evaluation"].person == world.person("chief_b"))
    assert chief_b["interview"]  # station B has nothing: at or below 60
    # The scores are stored, not live: the board says as of when.
    newest = Evaluation.objects.filter(scheme=sheet, period_start=FIRST).latest("computed_at").computed_at
    assert board["computed_at"] == newest
    assert timezone.localtime(newest).strftime("%Y-%m-%d %H:%M") in response.content.decode().split(
        'data-testid="computed-at"')[1].split("</p>")[0]


@pytest.mark.parametrize("subjects", [1, 6])
def test_the_ranking_board_runs_the_same_queries_whatever_the_number_of_subjects(world, sheet, client_for,
                                                                                django_assert_num_queries, subjects):
    from ..factories import PostingFactory

    for _number in range(subjects):
        posting = PostingFactory(station=world.station_a)
        engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.station_a, person=posting.person)
    client = client_for("bureau")
    # The 6 of every page, the version in force, the schemes with their items, then per scheme
    # (Shanting has one): its evaluations, their lines and the previous period's totals.
    with django_assert_num_queries(13):
        response = client.get(reverse("scoring:evaluation_list"), {"year": YEAR})
    assert len(response.context["schemes"][0]["rows"]) == subjects


def test_the_ranking_board_pages_rank_among_all_subjects(world, sheet):
    from scoring import access
    from scoring.boards import ranking

    from ..factories import PostingFactory

    for _number in range(5):
        posting = PostingFactory(station=world.station_a)
        engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.station_a, person=posting.person)
    visible = access.evaluations_for(world.users["bureau"])
    whole = ranking(visible=visible, scheme=sheet, period="year", first=FIRST, last=LAST)
    second = ranking(visible=visible, scheme=sheet, period="year", first=FIRST, last=LAST, page="2", per_page=2)
    assert whole["page_obj"] is None and len(whole["rows"]) == 5
    assert [row["rank"] for row in second["rows"]] == [3, 4]
    assert [row["evaluation"].pk for row in second["rows"]] == [row["evaluation"].pk for row in whole["rows"][2:4]]
    assert second["page_obj"].paginator.num_pages == 3
    # A page number that is not one shows the first page, as the other lists do.
    assert [row["rank"] for row in ranking(visible=visible, scheme=sheet, period="year", first=FIRST, last=LAST,
                                           page="x", per_page=2)["rows"]] == [1, 2]


def test_leadership_downloads_the_score_sheet_and_it_reads_back(world, sheet, client_for):
    import io

    from openpyxl import load_workbook

    leads(world, 16)
    evaluation = evaluate(sheet, world)
    engine.judge(line=lines(evaluation)["daily-work"], user=world.users["assessor"], points=Decimal("9"),
                 reason="表现突出")
    response = client_for("leader").get(reverse("scoring:evaluation_export"), {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    page = book.worksheets[0]  # the scheme's summary
    assert "leader" in page["A3"].value  # the internal-material marking
    header = [cell.value for cell in page[4]]
    row = [cell.value for cell in page[5]]
    assert row[1] == "staff_a" and row[3] == 32  # 16 leads: 30 + 2
    assert row[header.index(header[-4])] == 56  # total: 32 leads + 15 presence + 9 judged
    assert client_for("chief_a").get(reverse("scoring:evaluation_export"), {"year": YEAR}).status_code == 403
