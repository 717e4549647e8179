"""Feedback to home units: a person's final result, item by item, as a printable sheet and as a
workbook with a sheet per person; a home unit gets its own people only; only final results of
persons are fed back."""

import datetime
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from scoring import engine, grades, workflow
from scoring.models import Evaluation, Grade, ScoringScheme, Stage
from stations.models import Person
from stations.models.org import StaffCategory

from ..conftest import activate_preset
from ..factories import PersonFactory, PostingFactory, UserFactory

YEAR = timezone.localdate().year
FIRST, LAST = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
EXPORT = reverse("scoring:feedback_export")
SIGN_OFF = ["Prepared by", "Reviewed by", "Leader in charge", "Unit seal"]


@pytest.fixture
def scheme(world):
    activate_preset("shanting")
    return ScoringScheme.objects.get(version__profile__code="shanting", code="person-sheet")


def published(world, scheme, person: Person, *, station=None, points="8", grade=Grade.COMPETENT) -> Evaluation:
    """`person`'s year on the Shanting sheet (on station A by default), judged, graded, through the
    three hands and published."""
    assessor, bureau = world.users["assessor"], world.users["bureau"]
    evaluation = engine.evaluate(scheme=scheme, first=FIRST, last=LAST, station=station or world.station_a,
                                 person=person, user=bureau)
    engine.judge(line=evaluation.lines.get(item__code="daily-work"), user=assessor, points=Decimal(points),
                 reason="按时报送，纪律良好")
    grades.grade_decide(evaluation=evaluation, user=assessor, grade=grade, reason="工作扎实")
    workflow.confirm_evidence(evaluation=evaluation, user=person.user, agree=True)
    workflow.verify(evaluation=evaluation, user=bureau)
    workflow.adjudicate(evaluation=evaluation, user=assessor)
    workflow.publish(evaluation=evaluation, user=assessor)
    evaluation.refresh_from_db()
    return evaluation


def finalized(world, evaluations: list[Evaluation]) -> list[Evaluation]:
    """Make the published `evaluations` final once their publication period has ended."""
    after = max(evaluation.published_until for evaluation in evaluations) + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(after, datetime.time(10)).astimezone(), tick=False):
        for evaluation in evaluations:
            workflow.finalize(evaluation=evaluation, user=world.users["assessor"])
    for evaluation in evaluations:
        evaluation.refresh_from_db()
    return evaluations


@pytest.fixture
def result(world, scheme):
    """staff_a's final result; staff_a is public-institution staff (合格, not 称职)."""
    Person.objects.filter(pk=world.person("staff_a").pk).update(staff_category=StaffCategory.PUBLIC_INSTITUTION)
    return finalized(world, [published(world, scheme, world.person("staff_a"))])[0]


def english(client_for, persona):
    return client_for(persona, HTTP_ACCEPT_LANGUAGE="en")


def sheet_url(evaluation):
    return reverse("scoring:evaluation_feedback", args=[evaluation.pk])


def test_the_feedback_sheet_shows_the_final_result_item_by_item(world, client_for, result):
    page = english(client_for, "home_unit").get(sheet_url(result))
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert 'data-testid="person">staff_a<' in html
    assert 'data-testid="home-unit">发改局<' in html
    assert 'data-testid="team">驻上海招商站<' in html
    assert f'data-testid="period">{YEAR}-01-01 – {YEAR}-12-31<' in html
    lines = list(result.lines.select_related("item"))
    assert len(lines) == 7
    sheet = page.context["sheet"]
    assert [line.item.code for line in sheet.lines] == ["leads", "big-project", "presence", "events", "daily-work",
                                                       "lost-projects", "eight-point"]
    for line in lines:
        assert f'data-testid="line-{line.item.code}"' in html
        assert line.item.label in html and line.explanation in html
    assert "按时报送，纪律良好" in html  # the judgement's reason
    assert f'data-testid="total"><strong>{result.total}<' in html and result.total == Decimal("23.00")
    assert '<strong>合格</strong>' in html  # the public-institution scale
    publication = result.steps.get(stage=Stage.PUBLISHED).at
    final = result.steps.get(stage=Stage.FINAL).at
    assert f"Published: {timezone.localtime(publication):%Y-%m-%d}" in html
    assert f"Final on: {timezone.localtime(final):%Y-%m-%d}" in html
    assert f"until {result.published_until:%Y-%m-%d}" in html
    for label in SIGN_OFF:
        assert f'<th scope="row">{label}</th>' in html
    assert "Internal material · exported by home_unit" in html
    assert "css/print-sheet.css" in html


def test_the_evaluation_page_links_to_the_sheet_only_when_final(world, client_for, scheme, result):
    assert sheet_url(result) in client_for("assessor").get(result.get_absolute_url()).content.decode()
    pending = published(world, scheme, world.person("chief_a"))
    assert sheet_url(pending) not in client_for("assessor").get(pending.get_absolute_url()).content.decode()


@pytest.mark.parametrize("persona", ["staff_a", "chief_a", "home_unit", "leader", "assessor", "finance"])
def test_who_reads_the_result_reads_the_sheet(world, client_for, result, persona):
    assert client_for(persona).get(sheet_url(result)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("persona", ["chief_b", "park"])
def test_outsiders_get_404(world, client_for, result, persona):
    assert client_for(persona).get(sheet_url(result)).status_code == HTTPStatus.NOT_FOUND


def test_a_home_unit_reads_its_own_peoples_final_results_only(world, client_for, scheme):
    unit_b = UserFactory(username="unit_b_staff", roles=["home_unit"])
    PersonFactory(user=unit_b, home_unit=world.unit_b)
    unit_b_client = client_for("anonymous")
    unit_b_client.force_login(unit_b)
    # chief_b (unit B) also works on station A, which unit B neither forms nor lends them to.
    PostingFactory(person=world.person("chief_b"), station=world.station_a, start_date=datetime.date(YEAR, 1, 1))
    on_a = published(world, scheme, world.person("chief_b"))
    assert unit_b_client.get(sheet_url(on_a)).status_code == HTTPStatus.NOT_FOUND  # not final yet
    on_b = published(world, scheme, world.person("chief_b"), station=world.station_b)
    finalized(world, [on_a, on_b])
    assert unit_b_client.get(sheet_url(on_a)).status_code == HTTPStatus.OK  # final: back to the home unit
    assert unit_b_client.get(sheet_url(on_b)).status_code == HTTPStatus.OK
    assert client_for("home_unit").get(sheet_url(on_b)).status_code == HTTPStatus.NOT_FOUND  # unit A's
    assert client_for("chief_a").get(sheet_url(on_b)).status_code == HTTPStatus.NOT_FOUND


def test_a_result_that_is_not_final_or_not_a_persons_is_refused(world, client_for, scheme):
    pending = published(world, scheme, world.person("staff_a"))
    response = english(client_for, "assessor").get(sheet_url(pending), follow=True)
    assert response.redirect_chain == [(pending.get_absolute_url(), HTTPStatus.FOUND)]
    assert "A feedback sheet is for a person&#x27;s final result" in response.content.decode()
    team = engine.evaluate(scheme=ScoringScheme.objects.get(version__profile__code="xiangzhou"), first=FIRST,
                           last=LAST, station=world.station_a)
    Evaluation.objects.filter(pk=team.pk).update(stage=Stage.FINAL)  # even final, a team's result is no sheet
    response = client_for("assessor").get(sheet_url(team))
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == team.get_absolute_url()


def read(response):
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def cells(sheet):
    return {(cell.row, cell.column): cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}


def value_right_of(sheet, label):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == label:
                return sheet.cell(row=cell.row, column=cell.column + 1).value
    raise AssertionError(f"{label!r} not on the sheet")


def test_the_workbook_has_a_sheet_per_person_with_the_same_content(world, client_for, scheme):
    PostingFactory(person=world.person("chief_b"), station=world.station_a, start_date=datetime.date(YEAR, 1, 1))
    Person.objects.filter(pk=world.person("staff_a").pk).update(staff_category=StaffCategory.PUBLIC_INSTITUTION)
    staff, chief, other = finalized(world, [published(world, scheme, world.person(name))
                                            for name in ("staff_a", "chief_a", "chief_b")])
    workbook = read(english(client_for, "home_unit").get(EXPORT, {"year": YEAR}))
    assert workbook.sheetnames == ["chief_a", "staff_a"]  # unit A's people only, not chief_b (unit B)
    sheet = workbook["staff_a"]
    assert sheet["A1"].value.startswith("Internal material · exported by home_unit")
    assert value_right_of(sheet, "Person") == "staff_a"
    assert value_right_of(sheet, "Home unit") == "发改局"
    assert value_right_of(sheet, "Team") == "驻上海招商站"
    assert value_right_of(sheet, "Period") == f"{YEAR}-01-01 – {YEAR}-12-31"
    assert value_right_of(sheet, "Total") == 23  # a number, not text
    assert value_right_of(sheet, "Grade") == "合格"
    assert value_right_of(workbook["chief_a"], "Grade") == "称职"
    assert value_right_of(sheet, "Published until").date() == staff.published_until
    assert value_right_of(sheet, "Final on").date() == timezone.localtime(staff.steps.get(stage=Stage.FINAL).at).date()
    values = cells(sheet)
    rows = {values.get((row, 1)): [values.get((row, column)) for column in range(2, 6)]
            for row in range(1, sheet.max_row + 1)}
    judgement = staff.lines.get(item__code="daily-work")
    assert rows["日常工作"] == [10, None, 8, judgement.explanation] and judgement.explanation
    for line in staff.lines.select_related("item"):
        assert rows[line.item.label][2] == line.points
        assert rows[line.item.label][3] == (line.explanation or None)
    for label in SIGN_OFF:
        assert label in rows
    # The organization department and the other offices that read every team: one unit, or all.
    assert read(client_for("leader").get(EXPORT, {"year": YEAR, "unit": world.unit_b.pk})).sheetnames == ["chief_b"]
    assert sorted(read(client_for("leader").get(EXPORT, {"year": YEAR})).sheetnames) == [
        "chief_a", "chief_b", "staff_a"]
    assert other.person.home_unit == world.unit_b


def test_user_text_is_never_a_formula(world, client_for, scheme):
    Person.objects.filter(pk=world.person("staff_a").pk).update(name="=HYPERLINK(\"http://x\")")
    finalized(world, [published(world, scheme, world.person("staff_a"))])
    workbook = read(client_for("home_unit").get(EXPORT))
    sheet = workbook.worksheets[0]
    cell = next(cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_a_home_unit_exports_its_own_people_only(world, client_for, result):
    assert read(client_for("home_unit").get(EXPORT, {"unit": world.unit_a.pk})).sheetnames == ["staff_a"]
    assert client_for("home_unit").get(EXPORT, {"unit": world.unit_b.pk}).status_code == HTTPStatus.NOT_FOUND
    assert client_for("home_unit").get(EXPORT, {"unit": 999999}).status_code == HTTPStatus.NOT_FOUND
    assert client_for("leader").get(EXPORT, {"unit": "x"}).status_code == HTTPStatus.NOT_FOUND
    for persona in ("chief_a", "staff_a", "chief_b", "park"):
        assert client_for(persona).get(EXPORT).status_code == HTTPStatus.FORBIDDEN


def test_results_not_final_are_not_exported(world, client_for, scheme, result):
    published(world, scheme, world.person("chief_a"))  # published, not final
    assert read(client_for("leader").get(EXPORT)).sheetnames == ["staff_a"]
    workbook = read(english(client_for, "leader").get(EXPORT, {"year": YEAR - 1}))
    assert workbook.sheetnames == ["No final results"]
    assert workbook.active["A1"].value.startswith("Internal material")


@pytest.mark.parametrize("people", [1, 5])
def test_the_export_runs_a_fixed_number_of_queries(world, client_for, scheme, django_assert_num_queries, people):
    persons = []
    for number in range(people):
        user = UserFactory(username=f"extra{number}")
        person = PersonFactory(user=user, name=f"人员{number}", home_unit=world.unit_a)
        PostingFactory(person=person, station=world.station_a, start_date=datetime.date(YEAR, 1, 1))
        persons.append(person)
    finalized(world, [published(world, scheme, person) for person in persons])
    client = client_for("home_unit")
    # session, user, the user's groups, person and current postings (stations.permissions); the
    # unit; the evaluations with their person, home unit, team and scheme; their lines with items;
    # their publication steps; the exporter's name for the marking
    with django_assert_num_queries(10):
        workbook = read(client.get(EXPORT, {"year": YEAR}))
    assert len(workbook.sheetnames) == people
