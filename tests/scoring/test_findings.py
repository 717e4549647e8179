"""Findings on the site: the assessing offices record them on teams they review, against someone
posted there on the day; teams read their own; another team's finding is a 404; the detail page
names who recorded it and the evaluations that cite it; one recorded in error is withdrawn, with
the reason, and stops counting."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from scoring import engine
from scoring.findings import citing_lines, finding_record, finding_withdraw, findings_for
from scoring.models import Finding, FindingKind, ScoringScheme

from ..conftest import activate_preset
from ..factories import PersonFactory, PostingFactory, StationFactory, UserFactory

TODAY = timezone.localdate()
CREATE = reverse("scoring:finding_create")
LIST = reverse("scoring:finding_list")


def record(world, *, by="bureau", station=None, person="staff_a", kind=FindingKind.EIGHT_POINT_RULES, date=None,
           description="违规接受宴请"):
    return finding_record(user=world.users[by], station=station or world.station_a,
                          person=world.person(person) if person else None, kind=kind, date=date or TODAY,
                          description=description)


def form(world, **changes):
    data = {"station": world.station_a.pk, "person": world.person("staff_a").pk, "kind": FindingKind.LOST_BY_SERVICE,
            "date": f"{TODAY:%Y-%m-%d}", "description": "客商来访无人接待，项目转投外地"}
    data.update(changes)
    return data


def english(client_for, persona):
    return client_for(persona, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("persona", ["bureau", "assessor"])
def test_the_assessing_offices_record_a_finding_against_someone_posted_there(world, client_for, persona):
    response = client_for(persona).post(CREATE, form(world))
    finding = Finding.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == finding.get_absolute_url()
    assert finding.get_absolute_url() == reverse("scoring:finding_detail", args=[finding.pk])
    assert (finding.station, finding.person, finding.kind, finding.date) == (
        world.station_a, world.person("staff_a"), FindingKind.LOST_BY_SERVICE, TODAY)
    assert finding.description == "客商来访无人接待，项目转投外地"
    assert finding.recorded_by == world.users[persona]
    assert finding.history.get().history_user == world.users[persona]


def test_a_finding_against_the_whole_team_needs_no_person(world, client_for):
    client_for("bureau").post(CREATE, form(world, person=""))
    assert Finding.objects.get().person is None


@pytest.mark.parametrize("persona", ["chief_a", "staff_a", "chief_b", "park", "leader", "finance", "home_unit"])
def test_offices_other_than_the_assessing_ones_may_not_record(world, client_for, persona):
    assert client_for(persona).get(CREATE).status_code == HTTPStatus.FORBIDDEN
    assert client_for(persona).post(CREATE, form(world)).status_code == HTTPStatus.FORBIDDEN
    assert not Finding.objects.exists()


def test_a_third_party_assessor_adjudicates_but_does_not_record_findings(world, client_for):
    third = UserFactory(username="third", roles=["third_party_assessor"])
    with pytest.raises(PermissionDenied):
        finding_record(user=third, station=world.station_a, person=None, kind=FindingKind.EIGHT_POINT_RULES,
                       date=TODAY, description="x")
    client = client_for("anonymous")
    client.force_login(third)
    assert client.post(CREATE, form(world)).status_code == HTTPStatus.FORBIDDEN
    assert not Finding.objects.exists()


def test_never_on_a_team_one_is_posted_to(world, client_for):
    # bureau_a is posted to station A: the team is not offered, and the service refuses it.
    response = english(client_for, "bureau_a").post(CREATE, form(world))
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in str(response.context["form"].errors["station"])
    assert world.station_a not in response.context["form"].fields["station"].queryset
    with pytest.raises(PermissionDenied):
        record(world, by="bureau_a")
    assert not Finding.objects.exists()
    # … but station B is theirs to record on.
    assert record(world, by="bureau_a", station=world.station_b, person="chief_b").recorded_by == world.users["bureau_a"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"date": f"{TODAY + datetime.timedelta(days=1):%Y-%m-%d}"}, "date", "A finding cannot be dated in the future."),
    ({"description": "   "}, "description", "This field is required."),
    ({"kind": "gossip"}, "kind", "Select a valid choice."),
    ({"date": ""}, "date", "This field is required."),
])
def test_bad_input_is_refused_with_a_message_and_saves_nothing(world, client_for, changes, field, message):
    response = english(client_for, "bureau").post(CREATE, form(world, **changes))
    assert response.status_code == HTTPStatus.OK
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Finding.objects.exists()


def test_someone_not_posted_to_the_team_on_the_day_is_refused(world, client_for):
    # chief_b is posted to station B, not A.
    response = english(client_for, "bureau").post(CREATE, form(world, person=world.person("chief_b").pk))
    assert response.context["form"].errors["person"] == [
        f"chief_b was not posted to 驻上海招商站 on {TODAY:%Y-%m-%d}: record the finding against the team, or "
        "choose someone posted there that day."]
    # Someone whose posting to A ended before the day, or began after it, is refused too.
    moved = PersonFactory(name="调离人员")
    PostingFactory(person=moved, station=world.station_a, start_date=datetime.date(2025, 3, 1),
                   ended_on=datetime.date(2025, 12, 31))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        finding_record(user=world.users["bureau"], station=world.station_a, person=moved,
                       kind=FindingKind.EIGHT_POINT_RULES, date=datetime.date(2026, 1, 5), description="x")
    assert "调离人员 was not posted to 驻上海招商站 on 2026-01-05" in error.value.message_dict["person"][0]
    assert record(world, person=None, date=datetime.date(2025, 6, 1)).person is None  # the team, that day
    early = finding_record(user=world.users["bureau"], station=world.station_a, person=moved,
                           kind=FindingKind.EIGHT_POINT_RULES, date=datetime.date(2025, 6, 1), description="x")
    assert early.person == moved  # posted there on that day
    assert Finding.objects.filter(person=world.person("chief_b")).count() == 0


def test_the_service_refuses_a_future_date_and_an_empty_description(world):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        record(world, date=TODAY + datetime.timedelta(days=3), description="  ")
    assert error.value.message_dict == {"date": ["A finding cannot be dated in the future."],
                                        "description": ["Say what was found."]}
    assert not Finding.objects.exists()


def test_a_team_reads_its_own_findings_and_not_another_teams(world, client_for):
    mine = record(world, description="违规接受宴请")
    theirs = record(world, station=world.station_b, person="chief_b", description="北京站服务不力")
    page = client_for("staff_a").get(LIST)
    assert page.status_code == HTTPStatus.OK
    assert list(page.context["findings"]) == [mine]
    assert "北京站服务不力" not in page.content.decode()
    assert reverse("scoring:finding_create") not in page.content.decode()  # read-only
    assert client_for("staff_a").get(mine.get_absolute_url()).status_code == HTTPStatus.OK
    assert client_for("staff_a").get(theirs.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert client_for("chief_b").get(mine.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert client_for("park").get(LIST).status_code == HTTPStatus.FORBIDDEN
    # The offices that read every team see both; only the assessing offices are offered to record.
    leader = client_for("leader").get(LIST)
    assert set(leader.context["findings"]) == {mine, theirs}
    assert reverse("scoring:finding_create") not in leader.content.decode()
    assert reverse("scoring:finding_create") in client_for("bureau").get(LIST).content.decode()


def test_the_list_filters_by_year_team_and_kind(world, client_for):
    this_year = record(world, kind=FindingKind.EIGHT_POINT_RULES)
    lost = record(world, kind=FindingKind.LOST_BY_SERVICE)
    last_year = record(world, date=datetime.date(TODAY.year - 1, 6, 1))
    team_b = record(world, station=world.station_b, person="chief_b")
    client = client_for("bureau")

    def shown(**query):
        return set(client.get(LIST, query).context["findings"])

    assert shown() == {this_year, lost, team_b}  # this year by default
    assert shown(year=TODAY.year - 1) == {last_year}
    assert shown(year="") == {this_year, lost, last_year, team_b}
    assert shown(station=world.station_b.pk) == {team_b}
    assert shown(kind=FindingKind.LOST_BY_SERVICE) == {lost}
    assert shown(station=world.station_a.pk, kind=FindingKind.EIGHT_POINT_RULES) == {this_year}
    # A team outside the reader's scope filters nothing in: staff_a still sees only station A's.
    assert set(client_for("staff_a").get(LIST, {"station": world.station_b.pk}).context["findings"]) == {
        this_year, lost}


@pytest.mark.parametrize("extra", [1, 20])
def test_the_list_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, extra):
    for number in range(extra):
        station = StationFactory()
        posting = PostingFactory(station=station)
        finding_record(user=world.users["bureau"], station=station, person=posting.person,
                       kind=FindingKind.EIGHT_POINT_RULES, date=TODAY, description=f"第{number}条")
    client = client_for("bureau")
    # session, user, the user's groups, person and current postings (stations.permissions), the
    # person's name for the navigation bar; the findings with their team, person and recorder;
    # the teams of the filter
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["findings"]) == extra


def test_the_detail_names_the_recorder_and_the_evaluations_that_cite_it(world, client_for):
    activate_preset("shanting")
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    year = TODAY.year
    # 1 January: never in the future, and in the first quarter.
    finding = record(world, date=datetime.date(year, 1, 1), description="违规接受宴请")
    team = record(world, person=None, date=datetime.date(year, 1, 1), description="全站违规公款吃喝")
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    staff = engine.evaluate(scheme=scheme, first=first, last=last, station=world.station_a,
                            person=world.person("staff_a"))
    chief = engine.evaluate(scheme=scheme, first=first, last=last, station=world.station_a,
                            person=world.person("chief_a"))
    engine.evaluate(scheme=scheme, first=datetime.date(year, 4, 1), last=datetime.date(year, 6, 30),
                    station=world.station_a, person=world.person("staff_a"))  # Q2: the finding is in Q1
    page = client_for("bureau").get(finding.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    assert 'data-testid="recorded-by">bureau' in page.content.decode()
    assert [(line.evaluation, line.item.code) for line in page.context["lines"]] == [(staff, "eight-point")]
    assert staff.get_absolute_url() in page.content.decode()
    # A finding against the whole team counts for everyone on it.
    assert {line.evaluation for line in citing_lines(user=world.users["bureau"], finding=team)} == {staff, chief}
    # chief_a reads the finding but not a colleague's unpublished evaluation: no citation shown.
    page = client_for("chief_a").get(finding.get_absolute_url())
    assert page.status_code == HTTPStatus.OK and page.context["lines"] == []
    assert staff.get_absolute_url() not in page.content.decode()


def test_the_detail_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    finding = record(world)
    client = client_for("bureau")
    # the 6 of every page, the finding, its first history record, the candidate lines
    with django_assert_num_queries(9):
        client.get(finding.get_absolute_url())


def test_findings_for_a_home_unit_are_those_of_the_teams_it_reads(world):
    mine = record(world)
    record(world, station=world.station_b, person="chief_b")
    assert list(findings_for(world.users["home_unit"])) == [mine]


# --- Withdrawing a finding recorded in error ------------------------------------------------------


def withdraw_url(finding):
    return reverse("scoring:finding_withdraw", args=[finding.pk])


@pytest.mark.parametrize("persona", ["bureau", "assessor"])
def test_the_assessing_offices_withdraw_a_finding_with_the_reason_and_it_stays_on_record(world, client_for,
                                                                                           persona):
    finding = record(world)
    client = english(client_for, persona)
    assert 'data-testid="withdraw"' in client.get(finding.get_absolute_url()).content.decode()
    response = client.post(withdraw_url(finding), {"reason": "  记错了人：应为另一站  "}, follow=True)
    assert "Finding withdrawn" in response.content.decode()
    finding.refresh_from_db()
    assert (finding.withdrawn_by, finding.withdrawal_reason) == (world.users[persona], "记错了人：应为另一站")
    assert finding.withdrawn_at is not None
    newest = finding.history.order_by("-history_date", "-history_id").first()
    assert (newest.history_user, newest.withdrawal_reason) == (world.users[persona], "记错了人：应为另一站")
    page = client.get(finding.get_absolute_url()).content.decode()
    assert 'data-testid="withdrawn"' in page and "记错了人" in page
    assert "No evaluation you may read cites this finding." in page  # no promise that it will count
    assert 'data-testid="withdraw"' not in page  # nothing more to withdraw
    assert "Withdrawn" in client.get(LIST).content.decode()  # still listed, marked


@pytest.mark.parametrize(("reason", "message"), [("", "Say why the finding is withdrawn."),
                                                 ("   ", "Say why the finding is withdrawn."),
                                                 ("长" * 2001, "Keep the reason to 2000 characters at most.")])
def test_a_withdrawal_needs_a_reason_and_changes_nothing_without_one(world, client_for, reason, message):
    finding = record(world)
    response = english(client_for, "bureau").post(withdraw_url(finding), {"reason": reason}, follow=True)
    assert message in [str(m) for m in response.context["messages"]]
    finding.refresh_from_db()
    assert not finding.is_withdrawn and finding.history.count() == 1


def test_a_finding_is_withdrawn_once(world, client_for):
    finding = record(world)
    finding_withdraw(user=world.users["bureau"], finding=finding, reason="记错了")
    response = english(client_for, "assessor").post(withdraw_url(finding), {"reason": "再撤一次"}, follow=True)
    assert any("already withdrawn" in str(m) for m in response.context["messages"])
    finding.refresh_from_db()
    assert (finding.withdrawn_by, finding.withdrawal_reason) == (world.users["bureau"], "记错了")


@pytest.mark.parametrize("persona", ["chief_a", "staff_a", "leader", "home_unit", "bureau_a"])
def test_who_may_not_record_on_the_team_may_not_withdraw(world, client_for, persona):
    finding = record(world)
    client = client_for(persona)
    assert 'data-testid="withdraw"' not in client.get(finding.get_absolute_url()).content.decode()
    assert client.post(withdraw_url(finding), {"reason": "不认可"}).status_code == HTTPStatus.FORBIDDEN
    with pytest.raises(PermissionDenied):
        finding_withdraw(user=world.users[persona], finding=finding, reason="不认可")
    finding.refresh_from_db()
    assert not finding.is_withdrawn


def test_another_teams_finding_is_not_found_and_a_get_changes_nothing(world, client_for):
    finding = record(world)
    assert client_for("chief_b").post(withdraw_url(finding), {"reason": "x"}).status_code == HTTPStatus.NOT_FOUND
    assert client_for("bureau").get(withdraw_url(finding)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    finding.refresh_from_db()
    assert not finding.is_withdrawn


def test_a_withdrawn_finding_stops_counting_at_the_next_computation(world):
    activate_preset("shanting")
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    year = TODAY.year
    finding = record(world, date=datetime.date(year, 1, 1))  # never in the future
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def eight_point():
        evaluation = engine.evaluate(scheme=scheme, first=first, last=last, station=world.station_a,
                                     person=world.person("staff_a"))
        return evaluation.lines.get(item__code="eight-point")

    cited = eight_point()
    assert any(piece.get("id") == finding.pk for piece in cited.evidence if isinstance(piece, dict))
    finding_withdraw(user=world.users["bureau"], finding=finding, reason="记错了")
    recomputed = eight_point()
    assert not any(isinstance(piece, dict) and piece.get("id") == finding.pk for piece in recomputed.evidence)
    assert recomputed.points != cited.points


def test_the_admin_neither_edits_nor_reverts_a_withdrawn_finding(world, django_user_model):
    from django.test import Client

    finding = record(world, description="原始记录")
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    before = finding.history.get()  # the version before the withdrawal
    finding_withdraw(user=world.users["bureau"], finding=finding, reason="记错了")
    change = reverse("admin:scoring_finding_change", args=[finding.pk])
    page = client.get(change)
    assert page.status_code == HTTPStatus.OK and 'name="description"' not in page.content.decode()  # read-only
    revert = reverse("admin:scoring_finding_simple_history", args=[finding.pk, before.history_id])
    response = client.post(revert, {"station": world.station_a.pk, "person": world.person("staff_a").pk,
                                    "kind": finding.kind, "date": f"{finding.date:%Y-%m-%d}",
                                    "description": "原始记录"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    finding.refresh_from_db()
    assert finding.is_withdrawn and finding.withdrawal_reason == "记错了"


def test_an_evaluation_not_computed_again_marks_a_cited_finding_withdrawn(world, client_for,
                                                                          django_assert_num_queries):
    activate_preset("shanting")
    scheme = ScoringScheme.objects.get(version__profile__code="shanting")
    year = TODAY.year
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    findings = [record(world, date=first, description=f"违规{number}") for number in range(3)]

    def page():
        evaluation = engine.evaluate(scheme=scheme, first=first, last=last, station=world.station_a,
                                     person=world.person("staff_a"))
        return reverse("scoring:evaluation_detail", args=[evaluation.pk])

    url = page()  # computed while all three stand
    finding_withdraw(user=world.users["bureau"], finding=findings[0], reason="记错了")
    client = client_for("bureau")
    client.get(url)
    with CaptureQueriesContext(connection) as one_withdrawn:
        html = client.get(url).content.decode()
    assert html.count('data-testid="withdrawn-finding"') == 1  # the one withdrawn, of three cited
    finding_withdraw(user=world.users["bureau"], finding=findings[1], reason="也记错了")
    with django_assert_num_queries(len(one_withdrawn)):  # one query for the page's findings, however many
        assert client.get(url).content.decode().count('data-testid="withdrawn-finding"') == 2
    assert 'data-testid="withdrawn-finding"' not in client.get(page()).content.decode()  # recomputed: gone
