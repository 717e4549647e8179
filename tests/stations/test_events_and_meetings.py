"""Events and their advance approval; the dispatch meeting's tasks; the monthly circular."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from stations import events, figures, meetings
from stations.events import event_approved
from stations.models import Event, RequestStatus, TaskStatus, TodoItem, WorkLog
from stations.models.todo import TodoKind

from ..conftest import activate_preset

TODAY = timezone.localdate()


def in_days(days):
    return TODAY + datetime.timedelta(days=days)


def hosted(world, *, days=10, invited=3, large=False, persona="chief_a"):
    return events.event_create(user=world.users[persona], station=world.station_a, title=f"产业推介会（邀请{invited}家）",
                               date=in_days(days), role="hosted", invited_enterprises=invited, is_large=large)


# --- Events -------------------------------------------------------------------------------------

def test_an_attended_event_needs_no_approval_even_if_marked_large(world):
    event = events.event_create(user=world.users["staff_a"], station=world.station_a, title="全市招商推介会",
                                date=in_days(-3), role="attended", city_required=True, is_large=True)
    assert (event.is_large, event.status, event_approved(event)) == (False, "", True)


def test_the_profile_number_of_invited_enterprises_makes_an_event_large(world):
    activate_preset("shanting")  # five invited enterprises
    assert hosted(world, invited=4).status == ""
    event = hosted(world, invited=5)
    assert (event.is_large, event.status) == (True, RequestStatus.PENDING)
    assert not event_approved(event)


def test_a_large_event_is_entered_before_its_day_and_approved_before_it(world):
    activate_preset("shanting")  # the leader approves, the bureau files
    with pytest.raises(ValidationError):
        hosted(world, days=0, large=True)
    event = hosted(world, days=2, large=True)
    with pytest.raises(PermissionDenied):  # the bureau files after the leader
        events.event_decide(event=event, user=world.users["bureau"], approve=True)
    events.event_decide(event=event, user=world.users["leader"], approve=True)
    events.event_decide(event=event, user=world.users["bureau"], approve=True)
    event.refresh_from_db()
    assert (event.status, event.approved_in_advance, event_approved(event)) == ("approved", True, True)
    assert [d.actor for d in event.decisions.all()] == ["leadership", "bureau"]


def test_approval_on_or_after_the_events_day_is_refused(world):
    activate_preset("xiangzhou")  # the bureau approves
    event = hosted(world, days=2, large=True)
    with time_machine.travel(datetime.datetime.combine(in_days(2), datetime.time(9)).astimezone(), tick=False):
        with pytest.raises(ValidationError):
            events.event_decide(event=event, user=world.users["bureau"], approve=True)
        events.event_decide(event=event, user=world.users["bureau"], approve=False, comment="已过活动日期")
    event.refresh_from_db()
    assert (event.status, event.approved_in_advance) == ("refused", False)


def test_the_bureau_may_file_an_approved_event_on_its_day(world):
    activate_preset("shanting")
    event = hosted(world, days=2, large=True)
    events.event_decide(event=event, user=world.users["leader"], approve=True)
    with time_machine.travel(datetime.datetime.combine(in_days(2), datetime.time(9)).astimezone(), tick=False):
        events.event_decide(event=event, user=world.users["bureau"], approve=True)
    event.refresh_from_db()
    assert (event.status, event.approved_in_advance) == ("approved", True)


def test_an_unapproved_large_event_that_took_place_is_a_warning(world):
    from stations.models import Station
    from stations.warnings import compute

    event = hosted(world, days=2, large=True)
    later = in_days(3)
    keys = [warning.key for warning in compute(Station.objects.all(), later)]
    assert f"event_unapproved:{event.pk}" in keys
    # A refused event is taken not to have been held.
    Event.objects.filter(pk=event.pk).update(status=RequestStatus.REFUSED)
    assert f"event_unapproved:{event.pk}" not in [warning.key for warning in compute(Station.objects.all(), later)]


def test_an_outcome_is_recorded_after_the_event_by_its_team(world):
    event = hosted(world, days=2)
    with pytest.raises(ValidationError):
        events.event_outcome(event=event, user=world.users["chief_a"], outcome="签约2个")
    with pytest.raises(PermissionDenied):
        events.event_outcome(event=event, user=world.users["chief_b"], outcome="签约2个")
    Event.objects.filter(pk=event.pk).update(date=in_days(-1))
    event.refresh_from_db()
    events.event_outcome(event=event, user=world.users["staff_a"], outcome="签约意向2个", attended_enterprises=7)
    event.refresh_from_db()
    assert (event.outcome, event.attended_enterprises, event.invited_enterprises) == ("签约意向2个", 7, 3)


# --- The dispatch meeting -------------------------------------------------------------------------

def test_tasks_reach_the_chiefs_to_do_list_and_are_tracked_to_done(world):
    bureau = world.users["bureau"]
    with pytest.raises(PermissionDenied):
        meetings.meeting_create(user=world.users["chief_a"], month=TODAY, held_on=TODAY)
    meeting = meetings.meeting_create(user=bureau, month=TODAY, held_on=TODAY)
    with pytest.raises(ValidationError):  # one meeting a month
        meetings.meeting_create(user=bureau, month=TODAY.replace(day=1), held_on=TODAY)
    with pytest.raises(ValidationError):
        meetings.task_add(meeting=meeting, user=bureau, station=world.station_a, description="补报材料",
                          due_date=TODAY - datetime.timedelta(days=1))
    task = meetings.task_add(meeting=meeting, user=bureau, station=world.station_a, description="补报材料",
                             due_date=in_days(5))
    item = TodoItem.objects.open().get(kind=TodoKind.TASK)
    assert (item.user, item.due_date) == (world.users["chief_a"], in_days(5))
    with pytest.raises(PermissionDenied):
        meetings.task_done(task=task, user=world.users["chief_b"], report_back="已完成")
    with pytest.raises(ValidationError):
        meetings.task_done(task=task, user=world.users["staff_a"], report_back="")
    meetings.task_done(task=task, user=world.users["staff_a"], report_back="已报送")
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TaskStatus.DONE, world.users["staff_a"])
    assert not TodoItem.objects.open().filter(kind=TodoKind.TASK).exists()
    with pytest.raises(ValidationError):
        meetings.task_done(task=task, user=world.users["staff_a"], report_back="再次")


def test_a_meeting_is_not_held_before_the_month_it_reviews(world, client_for):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError) as error:
        meetings.meeting_create(user=bureau, month=datetime.date(2026, 5, 1), held_on=datetime.date(2026, 4, 30))
    assert list(error.value.message_dict) == ["held_on"]
    response = client_for("bureau").post(reverse("stations:dispatch_list"), {"month": "2026-05", "held_on": "2026-04-10"})
    assert response.status_code == 200 and response.context["form"].errors["held_on"]
    meetings.meeting_create(user=bureau, month=datetime.date(2026, 5, 1), held_on=datetime.date(2026, 5, 1))


def test_a_task_submitted_twice_is_given_once_without_an_error(world, client_for):
    from django.contrib.messages import get_messages
    from django.utils.translation import gettext

    meeting = meetings.meeting_create(user=world.users["bureau"], month=TODAY, held_on=TODAY)
    url = reverse("stations:dispatch_task_add", args=[meeting.pk])
    data = {"station": world.station_a.pk, "description": "补充重点项目材料", "due_date": in_days(7).isoformat()}
    client = client_for("bureau")
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)  # the button pressed twice
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    last = list(get_messages(response.wsgi_request))[-1]
    assert (last.level_tag, str(last)) == ("info", gettext("This task is already given to this team at this meeting."))
    assert meeting.tasks.count() == 1
    assert TodoItem.objects.open().filter(user=world.users["chief_a"], kind=TodoKind.TASK).count() == 1
    # The same task for another team is another task.
    client.post(url, {**data, "station": world.station_b.pk})
    assert meeting.tasks.count() == 2


def test_the_meeting_pack_shows_reports_figures_warnings_and_earlier_open_tasks(world, client_for):
    bureau = world.users["bureau"]
    earlier = meetings.meeting_create(user=bureau, month=datetime.date(2026, 1, 1), held_on=datetime.date(2026, 2, 3))
    meetings.task_add(meeting=earlier, user=bureau, station=world.station_b, description="完善通信录")
    meeting = meetings.meeting_create(user=bureau, month=datetime.date(2026, 2, 1), held_on=datetime.date(2026, 3, 3))
    response = client_for("bureau").get(meeting.get_absolute_url())
    context = response.context
    assert {row["station"].code for row in context["queue"]["rows"]} == {"SH", "BJ"}
    assert [task.description for task in context["earlier_open"]] == ["完善通信录"]
    assert context["warnings"]  # nobody logged anything: every resident person is away
    assert context["open_count"] == len(context["warnings"]) == sum(n for _kind, n in context["open_kinds"])
    assert "完善通信录" in response.content.decode()
    assert "pack-all-warnings" not in response.content.decode()  # nothing left out


def test_the_meeting_pack_lists_the_first_open_warnings_and_counts_them_all(world, client_for, monkeypatch):
    from stations import report_views

    monkeypatch.setattr(report_views, "PACK_WARNINGS", 1)
    meeting = meetings.meeting_create(user=world.users["bureau"], month=datetime.date(2026, 2, 1),
                                      held_on=datetime.date(2026, 3, 3))
    response = client_for("bureau").get(meeting.get_absolute_url())
    context, page = response.context, response.content.decode()
    assert len(context["warnings"]) == 1 < context["open_count"]
    assert f'data-testid="pack-warning-count">{context["open_count"]}<' in page
    assert f'href="{reverse("stations:warning_list")}" data-testid="pack-all-warnings"' in page  # the rest


# --- The circular --------------------------------------------------------------------------------

def test_the_circular_ranks_teams_and_ties_share_a_rank(world, client_for):
    month = datetime.date(2026, 3, 1)
    for day in (2, 3, 4):
        WorkLog.objects.create(person=world.person("chief_b"), station=world.station_b, date=month.replace(day=day),
                               created_by=world.users["chief_b"])
    WorkLog.objects.create(person=world.person("chief_a"), station=world.station_a, date=month.replace(day=2),
                           created_by=world.users["chief_a"])
    data = meetings.circular(user=world.users["bureau"], year=2026, month=3, sort="logs")
    assert [(row["station"].code, row["rank"], row["values"]["logs"]) for row in data["rows"]] == [
        ("BJ", 1, 3), ("SH", 2, 1)]
    data = meetings.circular(user=world.users["bureau"], year=2026, month=3, sort="visits")
    assert [row["rank"] for row in data["rows"]] == [1, 1]
    data = meetings.circular(user=world.users["bureau"], year=2026, month=3, sort="not-a-column")
    assert data["sort"] == "funds_in_place"


def test_the_circular_workbook_reads_back_with_its_marking_and_ranks(world, client_for):
    WorkLog.objects.create(person=world.person("chief_b"), station=world.station_b, date=datetime.date(2026, 3, 2),
                           created_by=world.users["chief_b"])
    response = client_for("leader").get(reverse("stations:circular_export"), {"month": "2026-03", "sort": "logs"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "leader" in sheet["A2"].value  # the internal-material marking names who exported it
    keys = [column.key for column in figures.columns()]
    logs_column = 2 + keys.index("logs")
    assert sheet.cell(row=4, column=logs_column + 1).value == str(figures.columns()[keys.index("logs")].label)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert [(row[0], row[1], row[logs_column]) for row in rows] == [(1, "驻北京招商站", 1), (2, "驻上海招商站", 0)]


def test_team_members_do_not_read_the_circular(world, client_for):
    assert client_for("chief_a").get(reverse("stations:circular")).status_code == 403


def test_a_double_submit_records_the_event_once(world, client_for):
    data = {"title": "全市招商推介会", "date": in_days(-2).isoformat(), "role": "attended", "invited_enterprises": 0,
            "station": world.station_a.pk}
    client = client_for("chief_a")
    assert client.post(reverse("stations:event_create"), data).status_code == 302
    response = client.post(reverse("stations:event_create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert Event.objects.count() == 1


def test_the_team_calls_off_a_pending_event_and_no_one_else_can(world, client_for):
    event = hosted(world, days=5, large=True)
    url = reverse("stations:event_withdraw", args=[event.pk])
    assert client_for("bureau").post(url).status_code == 403  # the approver decides, it does not withdraw
    assert client_for("chief_b").post(url).status_code == 404
    assert client_for("staff_a").post(url).status_code == 403  # neither who entered it nor the chief
    assert client_for("chief_a").post(url).status_code == 302
    event.refresh_from_db()
    assert event.status == RequestStatus.WITHDRAWN
    assert not TodoItem.objects.open().filter(kind=TodoKind.APPROVAL).exists()
    assert client_for("chief_a").post(url).status_code == 403  # only a pending event
