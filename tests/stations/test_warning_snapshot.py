"""The stored snapshot of warnings: computed once a day per team, again only for a team whose data
changed, read in the reader's language, never stored twice."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from stations import checks, duty, reports, warnings
from stations.models import Station, StoredWarning, WarningState, WorkLog
from stations.reports import period

from ..factories import PostingFactory, StationFactory

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def add_teams(world, count):
    for _ in range(count):
        station = StationFactory(forming_units=[world.unit_a])
        chief = PostingFactory(station=station, chief=True)
        PostingFactory(station=station)
        WorkLog.objects.create(person=chief.person, station=station, date=YESTERDAY, created_by=world.users["bureau"])


def snapshot_of(station):
    """What shows whether a team was computed again: its state and its rows' ids."""
    state = WarningState.objects.get(station=station)
    return state.computed_on, state.stale, set(StoredWarning.objects.filter(station=station).values_list("pk", flat=True))


def keys_on_page(client):
    return {warning.key for warning in client.get(reverse("stations:warning_list")).context["warnings"]}


@pytest.mark.parametrize("extra", [1, 10])
def test_a_second_view_recomputes_nothing(world, client_for, django_assert_num_queries, extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_teams(world, extra)
    client = client_for("bureau")
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("stations:warning_list"))
    # The 6 of every page, the teams' snapshot states, the kinds present, the page's count and its
    # stored rows (whether answered: in the same query), the open ones' count.
    with django_assert_num_queries(11):
        response = client.get(reverse("stations:warning_list"))
    assert len(first) > 9
    # Every team has its warnings stored; the page shows the first fifty.
    assert StoredWarning.objects.values("station").distinct().count() == 2 + extra
    assert len(response.context["warnings"]) == min(50, StoredWarning.objects.count())
    assert WarningState.objects.filter(computed_on=TODAY, stale=False).count() == Station.objects.count()


def test_the_stored_warnings_are_the_computed_ones(world):
    computed = warnings.compute(Station.objects.all())
    warnings.refresh(Station.objects.all())
    read = warnings.stored(Station.objects.all())
    assert [(w.key, w.station.pk, w.detail, w.url, w.since, w.team_acts, w.handled, w.person) for w in read] == [
        (w.key, w.station.pk, w.detail, w.url, w.since, w.team_acts, w.handled, w.person) for w in computed]


def test_an_abnormal_check_warns_at_the_next_view_and_leaves_other_teams_alone(world, client_for):
    client = client_for("bureau")
    key = f"false_report:{world.person('staff_a').pk}:{YESTERDAY}"
    assert key not in keys_on_page(client)
    before_b = snapshot_of(world.station_b)
    # A log at post: team A is marked stale, team B is not.
    duty.worklog_save(user=world.users["staff_a"], station=world.station_a, date=YESTERDAY, whereabouts="at_post")
    assert WarningState.objects.get(station=world.station_a).stale
    assert not WarningState.objects.get(station=world.station_b).stale
    assert key not in keys_on_page(client)
    checks.check_record(user=world.users["bureau"], person=world.person("staff_a"), station=world.station_a,
                        date=YESTERDAY, method="video", result="abnormal", note="视频抽查不在驻地")
    assert key in keys_on_page(client)
    assert snapshot_of(world.station_b) == before_b  # computed once, this morning, and not since


def _period_number(kind, first):
    for number in range(1, 13):
        if period(kind, first.year, number)[0] == first:
            return number
    raise AssertionError(first)


def test_a_report_sent_clears_its_warning_at_the_next_view(world, client_for):
    client = client_for("bureau")
    overdue = sorted(key for key in keys_on_page(client) if key.startswith(f"report_overdue:{world.station_a.pk}:"))
    assert overdue
    _prefix, _station, kind, first = overdue[0].split(":")
    first = datetime.date.fromisoformat(first)
    before_b = snapshot_of(world.station_b)
    chief = world.users["chief_a"]
    report = reports.report_open(user=chief, station=world.station_a, kind=kind, year=first.year,
                                 number=_period_number(kind, first))
    reports.report_save(report=report, user=chief, body="本月工作情况")
    reports.report_submit(report=report, user=chief)
    assert overdue[0] not in keys_on_page(client)
    assert snapshot_of(world.station_b) == before_b


def test_yesterdays_snapshot_is_computed_again_today(world):
    teams = Station.objects.all()
    assert warnings.refresh(teams, YESTERDAY) == 2
    assert warnings.refresh(teams, YESTERDAY) == 0
    assert warnings.refresh(teams, TODAY) == 2  # a new day: every team again
    found = warnings.stored(teams)
    assert set(WarningState.objects.values_list("computed_on", flat=True)) == {TODAY}
    assert {warning.key for warning in found} == {warning.key for warning in warnings.compute(teams, TODAY)}


def test_a_changed_profile_marks_every_team_stale(world):
    from stations.models import Profile

    warnings.refresh(Station.objects.all())
    version = Profile.objects.active().get().version_for()
    version.away_consecutive_days = 3
    version.save()
    assert set(WarningState.objects.values_list("stale", flat=True)) == {True}


def test_one_stored_row_reads_in_english_and_in_chinese(world):
    warnings.refresh(Station.objects.all())
    row = StoredWarning.objects.filter(kind="away_streak").first()
    assert row.message.startswith("%(person)s: %(days)s consecutive days away")  # stored untranslated
    warning = next(w for w in warnings.stored(Station.objects.all()) if w.key == row.key)
    with translation.override("en"):
        english = warning.detail
    with translation.override("zh-hans"):
        chinese = warning.detail
    assert "consecutive days away" in english and "连续" in chinese and "不在岗" in chinese
    # A translated value inside the text (the report's kind and state) follows the language too.
    overdue = next(w for w in warnings.stored(Station.objects.all()) if w.kind == "report_overdue")
    with translation.override("en"):
        assert "not started" in overdue.detail or "a draft" in overdue.detail
    with translation.override("zh-hans"):
        assert "not started" not in overdue.detail


def test_refreshing_twice_stores_each_warning_once(world):
    teams = Station.objects.filter(pk=world.station_a.pk)
    warnings.refresh(teams)
    count = StoredWarning.objects.filter(station=world.station_a).count()
    warnings.mark_stale([world.station_a.pk])
    assert warnings.refresh(teams) == 1
    assert warnings.refresh(teams) == 0  # the second caller finds the snapshot fresh
    assert StoredWarning.objects.filter(station=world.station_a).count() == count
    assert WarningState.objects.filter(station=world.station_a).count() == 1
    row = StoredWarning.objects.filter(station=world.station_a).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StoredWarning.objects.create(station=row.station, key=row.key, kind=row.kind, message=row.message,
                                     params=row.params, url=row.url)


def test_a_newer_state_of_another_day_is_recomputed_too(world):
    """A clock moved back (tests, a restored backup) never leaves tomorrow's snapshot standing."""
    warnings.refresh(Station.objects.all(), TODAY + datetime.timedelta(days=1))
    assert warnings.refresh(Station.objects.all(), TODAY) == 2
    assert WarningState.objects.aggregate(day=Max("computed_on"))["day"] == TODAY


def test_leads_and_visits_mark_only_their_teams_stale(world):
    from leads import services as lead_services

    warnings.refresh(Station.objects.all())
    chief_b = world.users["chief_b"]
    lead_services.lead_file(user=chief_b, station=world.station_b, title="新能源电池项目",
                            enterprise_name="宁德示例新能源科技有限公司")
    assert WarningState.objects.get(station=world.station_b).stale
    assert not WarningState.objects.get(station=world.station_a).stale
    warnings.refresh(Station.objects.all())
    # A visit counts for the people who went: staff_a went with team B (posted to A), so A is stale.
    visit = lead_services.visit_add(user=chief_b, station=world.station_b, date=YESTERDAY,
                                    enterprise_name="宁德示例新能源科技有限公司", purpose="洽谈",
                                    visitors=[world.person("chief_b")])
    warnings.refresh(Station.objects.all())
    visit.visitors.add(world.person("staff_a"))
    assert WarningState.objects.get(station=world.station_a).stale
