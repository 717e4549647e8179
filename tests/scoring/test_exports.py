"""The score sheets in Excel: a summary per scheme and a sheet per subject in the 量化考核表 layout,
read back with openpyxl; the download and `manage.py export_scores` give the same workbook."""

import datetime
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from scoring import engine, grades, rules
from scoring.boards import PERIOD_LABELS, period_dates, ranking, schemes_of_year
from scoring.exports import score_workbook
from scoring.models import Evaluation, SchemeSubject, ScoringScheme
from stations.exports import marking

from ..conftest import activate_preset
from .test_engine import FIRST, LAST, YEAR, leads, lines

NOW = timezone.make_aware(datetime.datetime(YEAR, 11, 20, 9, 30))
TITLE = f"{YEAR} {dict(PERIOD_LABELS)['year']}"
FORBIDDEN = set("[]:*?/\\")


@pytest.fixture
def sheet(world):
    activate_preset("shanting")
    return ScoringScheme.objects.get(version__profile__code="shanting", code="person-sheet")


@pytest.fixture
def scored(world, sheet):
    """staff_a: 16 leads, judged 9, graded; chief_a: the judgement pending; chief_b (station B,
    nothing done): judged 5, far below the interview line."""
    leads(world, 16)
    made = {persona: engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.postings[persona].station,
                                     person=world.person(persona)) for persona in ("staff_a", "chief_a", "chief_b")}
    for persona, points in (("staff_a", "9"), ("chief_b", "5")):
        engine.judge(line=lines(made[persona])["daily-work"], user=world.users["assessor"], points=Decimal(points),
                     reason="按时报送" if persona == "staff_a" else "一般")
    grades.grade_decide(evaluation=Evaluation.objects.get(pk=made["staff_a"].pk), user=world.users["assessor"],
                        grade="competent")
    return {persona: Evaluation.objects.get(pk=evaluation.pk) for persona, evaluation in made.items()}


def year_boards(schemes=None):
    first, last = period_dates(YEAR, "year")
    return [ranking(visible=Evaluation.objects.all(), scheme=scheme, period="year", first=first, last=last)
            for scheme in (schemes if schemes is not None else schemes_of_year(YEAR))]


def export(world, schemes=None, user="leader"):
    content = score_workbook(boards=year_boards(schemes), title=TITLE, user=world.users[user] if user else None,
                             now=NOW)
    return load_workbook(io.BytesIO(content))


def rows(page):
    return [list(row) for row in page.iter_rows(values_only=True)]


def subject_page(book, summary, name):
    """The subject's own sheet, reached through the link on the summary."""
    cell = next(row[1] for row in summary.iter_rows(min_row=5) if row[1].value == name)
    return book[cell.hyperlink.location.split("!")[0].strip("'")]


def test_the_summary_ranks_each_subject_with_every_items_points_the_total_the_grade_and_the_flags(world, scored):
    book = export(world)
    summary = book[book.sheetnames[0]]
    items = list(scored["staff_a"].scheme.items.all())
    assert rows(summary)[3] == [_("Ranking"), _("Subject"), _("Team"), *[item.label for item in items], _("Total"),
                                _("Change"), _("Grade"), _("Flags")]
    found = {row[1]: row for row in rows(summary)[4:7]}
    assert set(found) == {"staff_a", "chief_a", "chief_b"}
    for persona, evaluation in scored.items():
        row = found[persona]
        points = {line.item_id: line.points for line in evaluation.lines.all()}
        assert row[3:3 + len(items)] == [points[item.pk] for item in items]
        assert row[2] == world.postings[persona].station.name
        assert row[3 + len(items)] == evaluation.total
    assert found["staff_a"][0] == 1 and found["staff_a"][-4] == 56  # 32 for 16 leads + 15 presence + 9 judged
    assert found["staff_a"][-2] == "称职"  # the civil-service word for competent
    assert found["staff_a"][-1] == _("Interview")  # 56 is at or below 60
    assert found["chief_a"][-4] is None and found["chief_a"][-1] == "、".join([_("Judgement pending")])
    assert found["chief_b"][-4] == 20 and found["chief_b"][-1] == _("Interview")
    assert (summary["D5"].number_format, summary["K5"].number_format, summary["L5"].number_format) == (
        "0.00", "0.00", "+0.00;-0.00;0.00")  # points, total, change


def test_each_subject_has_its_own_sheet_in_the_form_layout(world, scored):
    book = export(world)
    page = subject_page(book, book[book.sheetnames[0]], "staff_a")
    assert page.title == "1 staff_a" and len(book.sheetnames) == 4  # the summary and three subjects
    assert rows(page)[3] == [_("No."), _("Item"), _("Target"), _("Explanation"), _("Points"), _("Scoring method"),
                             _("Actual"), _("Score"), _("Evidence (items)")]
    evaluation = scored["staff_a"]
    by_item = {line.item_id: line for line in evaluation.lines.all()}
    items = list(evaluation.scheme.items.all())
    for number, item in enumerate(items, start=5):
        line = by_item[item.pk]
        row = rows(page)[number - 1]
        assert row[:2] == [item.position, item.label]
        assert row[3].startswith(line.explanation)
        assert row[4] == item.max_points
        assert row[5] == str(rules.RULE_TYPES[item.rule_type].description)
        assert row[7] == line.points and row[8] == len(line.evidence)
    leads_row, big_row, judged_row = rows(page)[4], rows(page)[5], rows(page)[8]
    assert (leads_row[2], leads_row[6], leads_row[7], leads_row[8]) == (15, 16, 32, 16)  # target, actual, score
    assert big_row[2] == 10000 and page["C6"].number_format == '#,##0"万元"'  # 1亿 = 10,000万元
    assert judged_row[3].endswith(_("Reason: %(reason)s") % {"reason": "按时报送"})
    total, grade, flags = rows(page)[11:14]
    assert (total[0], total[7]) == (_("Total"), 56)
    assert (grade[0], grade[7]) == (_("Grade"), "称职")
    assert (flags[0], flags[7]) == (_("Flags"), _("Interview"))
    assert rows(page)[15][0::2][:4] == [_("Filled in by:"), _("Checked by:"), _("Leader in charge:"), _("Unit seal:")]
    assert "staff_a" in page["A2"].value and "驻上海招商站" in page["A2"].value


def test_sheets_have_merged_titles_a_frozen_header_the_marking_and_print_on_a4_landscape(world, scored):
    book = export(world)
    summary = book[book.sheetnames[0]]
    page = subject_page(book, summary, "staff_a")
    stamp = marking(world.users["leader"], NOW)
    for sheet, last, freeze in ((summary, "N", "D5"), (page, "I", "A5")):
        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        assert {f"A1:{last}1", f"A2:{last}2", f"A3:{last}3"} <= merged
        assert sheet["A1"].value == f"{scored['staff_a'].scheme.name} · {TITLE}"  # the scheme and the period
        assert sheet["A3"].value == stamp and "leader" in stamp
        assert sheet.freeze_panes == freeze
        assert sheet.print_title_rows == "$1:$4"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "leader" in sheet.oddHeader.left.text
    assert {"A12:G12", "H12:I12"} <= {str(cells) for cells in page.merged_cells.ranges}  # the total row


def test_the_command_is_named_in_the_marking_when_no_user_exports(world, scored):
    book = export(world, user=None)
    assert "manage.py export_scores" in book[book.sheetnames[0]]["A3"].value


def test_names_beginning_with_equals_stay_text_and_sheet_names_stay_valid(world, scored):
    staff = world.person("staff_a")
    staff.name = '=HYPERLINK("http://example.com","x")'
    staff.save()
    chief = world.person("chief_a")
    chief.name = "A/B:C*D?[E]\\F " + "很长的名字" * 7  # 49 characters: the field's 50 at most, a tab's 31
    chief.save()
    world.station_a.name = "=1+1"
    world.station_a.save()
    book = export(world)
    summary = book[book.sheetnames[0]]
    cells = {row[1].value: row for row in summary.iter_rows(min_row=5, max_row=7)}
    subject, team = cells[staff.name][1], cells[staff.name][2]
    assert (subject.data_type, team.data_type) == ("s", "s") and team.value == "=1+1"  # text, not formulas
    page = subject_page(book, summary, staff.name)
    assert page["A2"].data_type == "s" and staff.name in page["A2"].value
    for name in book.sheetnames:
        assert len(name) <= 31 and not FORBIDDEN & set(name)
    assert len({name.casefold() for name in book.sheetnames}) == len(book.sheetnames)
    long_page = subject_page(book, summary, chief.name)
    assert long_page["A2"].value.count("很长的名字") == 7  # the whole name in the sheet, only the tab is cut


@pytest.fixture
def units(world, sheet):
    """The all-staff unit scheme: unit A with two heads, nothing introduced, so the whole base is
    lost (3,500 元 × 2) and the veto forbids excellent."""
    scheme = ScoringScheme.objects.get(version__profile__code="all-staff", code="units")
    SchemeSubject.objects.create(scheme=scheme, unit=world.unit_a, group="unit", heads=2)
    engine.evaluate(scheme=scheme, first=FIRST, last=LAST, unit=world.unit_a)
    return scheme


def test_money_penalties_show_in_yuan_apart_from_the_points_and_a_veto_is_flagged(world, scored, sheet, units):
    book = export(world, schemes=[sheet, units])
    # The two summaries first, then the subjects of each scheme, numbered by scheme.
    assert book.sheetnames[0].endswith(sheet.name) and book.sheetnames[1].endswith(units.name)
    assert book.sheetnames[2].startswith("1-1 ") and book.sheetnames[-1] == "2-1 发改局"
    summary = book[book.sheetnames[1]]
    header = rows(summary)[3]
    assert header[3:6] == ["单位年度招商任务", "未完成任务扣减年终奖 (元)", "一票否决"]
    row = rows(summary)[4]
    assert row[1] == "发改局" and row[4] == 7000 and summary["E5"].number_format == '#,##0.00"元"'
    assert row[6] == 0  # the total: points only, the money apart
    assert _("Veto: excellent forbidden") in row[-1]
    page = subject_page(book, summary, "发改局")
    assert rows(page)[3][-1] == capfirst(_("amount (元)"))
    investment, penalty = rows(page)[4], rows(page)[5]
    assert investment[2] == 5000 and page["C5"].number_format == '#,##0"万元"'  # the group's target, 5000万
    assert penalty[7] is None and penalty[9] == 7000 and page["J6"].number_format == '#,##0.00"元"'
    assert rows(page)[7][7] == 0  # total


def test_the_command_writes_what_leadership_downloads(world, scored, client_for, tmp_path):
    path = tmp_path / "scores.xlsx"
    out = io.StringIO()
    call_command("export_scores", "--year", str(YEAR), "--output", str(path), stdout=out)
    assert "3" in out.getvalue() and str(path) in out.getvalue()
    written = load_workbook(path)
    response = client_for("leader").get(reverse("scoring:evaluation_export"), {"year": YEAR})
    downloaded = load_workbook(io.BytesIO(response.content))
    assert written.sheetnames == downloaded.sheetnames and len(written.sheetnames) == 4
    for name in written.sheetnames:
        mine, theirs = rows(written[name]), rows(downloaded[name])
        assert "manage.py export_scores" in mine[2][0] and "leader" in theirs[2][0]  # the marking
        assert mine[:2] + mine[3:] == theirs[:2] + theirs[3:]
        assert written[name].merged_cells.ranges == downloaded[name].merged_cells.ranges


@pytest.mark.parametrize(("arguments", "message"), [
    (["--year", "1999"], "2000"),
    (["--year", str(YEAR), "--period", "q5"], "q5"),
    (["--period", "year"], "--year"),
])
def test_the_command_refuses_a_bad_year_or_period(world, sheet, tmp_path, arguments, message):
    with pytest.raises(CommandError) as refused:
        call_command("export_scores", *arguments, "--output", str(tmp_path / "x.xlsx"))
    assert message in str(refused.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_the_command_refuses_a_year_without_a_scheme_and_a_path_it_cannot_write(world, sheet, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_scores", "--year", "2000", "--output", str(tmp_path / "x.xlsx"))
    assert "2000" in str(refused.value)
    for path in (tmp_path / "missing" / "x.xlsx", tmp_path):
        with pytest.raises(CommandError) as refused:
            call_command("export_scores", "--year", str(YEAR), "--output", str(path))
        assert str(path) in str(refused.value)


def test_leadership_downloads_the_score_sheets_and_a_team_member_may_not(world, scored, client_for):
    response = client_for("leader").get(reverse("scoring:evaluation_export"), {"year": YEAR})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == f'attachment; filename="scores-{YEAR}-year.xlsx"'
    assert "leader" in load_workbook(io.BytesIO(response.content)).worksheets[0]["A3"].value
    for persona in ("chief_a", "staff_a"):
        assert client_for(persona).get(reverse("scoring:evaluation_export"), {"year": YEAR}).status_code \
            == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("subjects", [1, 6])
def test_the_export_runs_the_same_queries_whatever_the_number_of_subjects(world, sheet, client_for,
                                                                         django_assert_num_queries, subjects):
    from ..factories import PostingFactory

    for _number in range(subjects):
        posting = PostingFactory(station=world.station_a)
        engine.evaluate(scheme=sheet, first=FIRST, last=LAST, station=world.station_a, person=posting.person)
    client = client_for("leader")
    # The session, the user, their roles, their person and their postings; the version in force,
    # the schemes with their items; then for Shanting's one scheme: its evaluations
    # (persons and teams joined), their lines and the year before's totals. Nothing per subject, and
    # no groups (no item's target depends on one); the exporter's name for the marking.
    with django_assert_num_queries(12):
        response = client.get(reverse("scoring:evaluation_export"), {"year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 1 + subjects


def test_an_amount_item_shows_its_actual_and_explanation_in_wan_with_its_own_method(world):
    from leads.models import FundsEntry

    activate_preset("xiangzhou")
    scheme = ScoringScheme.objects.get(version__profile__code="xiangzhou")
    lead = leads(world, 1, signed_on=datetime.date(YEAR, 4, 1), total_investment=Decimal("200000000"))[0]
    FundsEntry.objects.create(lead=lead, date=datetime.date(YEAR, 5, 1), amount=Decimal("90000000"),
                              amount_cny=Decimal("90000000"), recorded_by=world.users["chief_a"])
    evaluation = engine.evaluate(scheme=scheme, first=FIRST, last=LAST, station=world.station_a)
    funds = lines(evaluation)["funds"]
    assert funds.explanation == _("Funds in place %(total)s against %(threshold)s") % {
        "total": "9,000.00万元", "threshold": "5,000.00万元"}
    assert funds.evidence[0]["label"].endswith(" · 9,000.00万元")

    book = export(world, schemes=[scheme])
    page = subject_page(book, book[book.sheetnames[0]], world.station_a.name)
    row = next(row for row in page.iter_rows(min_row=5) if row[1].value == "到位资金5000万元")
    assert (row[2].value, row[6].value) == (5000, 9000)  # target and actual, both in 万元
    assert row[6].number_format == row[2].number_format == '#,##0"万元"'
    assert row[5].value == _("A total in the period at or above an amount: the item's points once it is reached.")
    big = next(row for row in page.iter_rows(min_row=5) if row[1].value == "亿元以上项目")
    assert big[5].value == str(rules.RULE_TYPES["threshold_project"].description)  # per project: bonuses apply
