"""Warnings: computed prompts about teams and people who are behind, and who must act on them.

A warning is never a decision. It names its evidence and carries a stable `key`; an
accountability record that answers the key marks the warning handled. Providers compute warnings
for many teams at once with a fixed number of queries; `stations` provides presence, reports,
events and the bureau's own judgements, the leads app adds progress and visits (in its
`AppConfig.ready`). `send_reminders` puts the unhandled ones in the to-do lists of the people who
must act and e-mails them.

Computing walks every day of every posting, so the pages do not compute: they read a stored
snapshot per team (`StoredWarning`, `WarningState`). `refresh` computes again only the teams whose
snapshot is not from today or was marked stale; `stored` reads the rows. A team is marked stale
(`mark_stale`, `mark_stale_for_people`, `mark_all_stale`) by the receivers in `stations.signals`
and `leads.signals` when a row the providers read is saved or deleted (see `WATCHED` there). Writes
that send no signal — `bulk_create`, `QuerySet.update`, raw SQL, e.g. `load_holidays` or a seed —
are not seen until the next day's recompute (a snapshot lives one day at most), unless the code
doing them calls `mark_stale` itself. `compute` stays the pure computation, for any set of teams.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, override
from django.utils.translation import gettext as _

from . import reports as report_rules
from . import workdays
from .duty import month_bounds
from .models import (
    PERIODIC_KINDS,
    AccountabilityKind,
    AccountabilityRecord,
    Event,
    Posting,
    ProfileVersion,
    Report,
    ReportKind,
    ReportStatus,
    RequestStatus,
    Station,
    StoredWarning,
    TeamKindRule,
    TodoItem,
    WarningState,
)
from .models.todo import TodoKind
from .permissions import Role
from .presence import Day, presence
from .services import todo_open
from .workdays import working_days

KINDS = {
    "away_streak": gettext_lazy("Away for consecutive days"),
    "away_total": gettext_lazy("Away for too many working days"),
    "false_report": gettext_lazy("Possible false reporting"),
    "on_post_short": gettext_lazy("Fewer days at post than the target"),
    "report_overdue": gettext_lazy("Report overdue"),
    "poor_progress": gettext_lazy("Judged to progress badly"),
    "event_unapproved": gettext_lazy("Large event without approval in advance"),
}


@dataclass
class Warning:
    """A warning as providers yield it and pages show it. `message` is an untranslated msgid
    (marked with `gettext_noop`) and `params` its JSON-safe values (dates as ISO strings; a value
    to translate too as `translatable(msgid)`): the text is translated when read, so one stored
    row serves readers of every language."""

    key: str
    kind: str
    station: Station
    message: str
    params: dict
    url: str
    person: object = None
    since: datetime.date | None = None
    team_acts: bool = False  # the team's chief must act too (a report to send, visits to make)
    handled: bool = False

    @property
    def label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def detail(self) -> str:
        params = {name: gettext(value["msgid"]) if isinstance(value, dict) else value
                  for name, value in self.params.items()}
        return gettext(self.message) % params


def translatable(text) -> dict:
    """A param translated when the warning is read: the msgid of `text` (a string marked with
    `gettext_noop`, or a lazy translation such as a choice's label)."""
    with override(None):  # no language: gettext gives back the msgid
        return {"msgid": str(text)}


@dataclass
class Context:
    """What every provider needs, fetched once. `version` and `resident` are today's; a past
    period is judged by the rules in force in it (`version_for`, `resident_for`): in January, last
    December by last year's version."""

    today: datetime.date
    version: ProfileVersion | None
    stations: dict  # id → Station
    postings: list  # current postings at those teams, with person and station
    resident: frozenset = field(default_factory=frozenset)
    versions: list = field(default_factory=list)  # the active profile's versions, newest first
    resident_by_version: dict = field(default_factory=dict)  # version id → its resident team kinds

    def version_for(self, year: int) -> ProfileVersion | None:
        """The version in force in `year`: the newest not after it (None before the first)."""
        return next((version for version in self.versions if version.year <= year), None)

    def resident_for(self, version: ProfileVersion | None) -> frozenset:
        return self.resident_by_version.get(version.pk, frozenset()) if version else frozenset()


def _yesterday(context):
    return context.today - datetime.timedelta(days=1)


def presence_warnings(context: Context):
    """Away streaks, away totals, abnormal checks on logged days, and last month's days at post
    (against the target and at the teams resident under the version in force last month)."""
    version = context.version
    if version is None:
        return
    last_month_first, last_month_last = month_bounds(*(_previous_month(context.today)))
    last_month_version = context.version_for(last_month_first.year)
    target = last_month_version.on_post_days_month if last_month_version else None
    last_month_resident = context.resident_for(last_month_version) if target else frozenset()
    postings = [posting for posting in context.postings
                if posting.station.kind in context.resident or posting.station.kind in last_month_resident]
    if not postings:
        return
    yesterday = _yesterday(context)
    window = version.away_window_days
    # The total counts within the window; a streak is a streak whenever it began in the posting
    # (so its key, which names its first day, stays the same from one day to the next).
    starts = {posting.pk: (max(posting.start_date, context.today - datetime.timedelta(days=window))
                           if window else posting.start_date) for posting in postings}
    first = min(min(posting.start_date for posting in postings), last_month_first)
    if first > yesterday:
        return
    facts = presence({posting.person_id for posting in postings}, first, yesterday)
    workdays = set(working_days(first, yesterday))
    counts_as_away = {Day.AWAY, Day.UNLOGGED} if version.unlogged_days_away else {Day.AWAY}
    for posting in postings:
        person, station = posting.person, posting.station
        url = f"{reverse('stations:worklog_month')}?person={person.pk}"
        if station.kind in last_month_resident and posting.start_date <= last_month_first:
            days = facts.count(person.pk, Day.ON_POST, last_month_first, last_month_last)
            if days < target:
                yield Warning(f"on_post_short:{person.pk}:{last_month_first:%Y-%m}", "on_post_short", station,
                    gettext_noop("%(person)s: %(days)s days at post in %(month)s (target %(target)s)."), {
                    "person": person.name, "days": days, "month": f"{last_month_first:%Y-%m}", "target": target},
                    f"{url}&month={last_month_first:%Y-%m}", person, last_month_first, team_acts=True)
        if station.kind not in context.resident:
            continue
        streak_start, streak, found, total = None, 0, None, 0
        for date, state in facts.days(person.pk, posting.start_date, yesterday):
            if state in counts_as_away:
                streak_start = streak_start if streak else date
                streak += 1
                total += date in workdays and date >= starts[posting.pk]
                if version.away_consecutive_days and streak >= version.away_consecutive_days:
                    found = (streak_start, streak)
            else:
                streak = 0
        if found:
            yield Warning(f"away_streak:{posting.pk}:{found[0]}", "away_streak", station, gettext_noop(
                "%(person)s: %(days)s consecutive days away from %(date)s (limit %(limit)s)."), {
                "person": person.name, "days": found[1], "date": str(found[0]),
                "limit": version.away_consecutive_days},
                f"{url}&month={found[0]:%Y-%m}", person, found[0])
        if version.away_working_days and total >= version.away_working_days:
            yield Warning(f"away_total:{posting.pk}", "away_total", station, gettext_noop(
                "%(person)s: %(days)s working days away since %(date)s (limit %(limit)s)."), {
                "person": person.name, "days": total, "date": str(starts[posting.pk]),
                "limit": version.away_working_days},
                url, person, starts[posting.pk])
        for date in facts.false_reports(person.pk):
            if date >= posting.start_date:
                yield Warning(f"false_report:{person.pk}:{date}", "false_report", station, gettext_noop(
                    "%(person)s logged %(date)s at post; a spot check found otherwise."), {
                    "person": person.name, "date": str(date)}, f"{url}&month={date:%Y-%m}", person, date)


def _previous_month(today):
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _periods(kind: str, since: datetime.date, today: datetime.date):
    """The periods of `kind` that have begun by today, from the year before `since` on (an annual
    report falls due after its year, so it is looked for well into the next year; a monthly report
    may fall due before its month ends, e.g. Shanting's 25th)."""
    numbers = {ReportKind.MONTHLY: 12, ReportKind.QUARTERLY: 4, ReportKind.HALF_YEAR: 2, ReportKind.ANNUAL: 1,
               ReportKind.RESEARCH: 1}[kind]
    for year in range(since.year - 1, today.year + 1):
        for number in range(1, numbers + 1):
            first, last = report_rules.period(kind, year, number)
            if first < today:
                yield first, last


def report_warnings(context: Context):
    """Required reports past their due date within the last 400 days and not submitted (missing,
    draft or returned): the periodic ones, and one research report a year (due by 31 December).
    The end-of-posting summary is not warned about: it belongs to a person leaving, not a period."""
    version = context.version
    if version is None:
        return
    kinds = [kind for kind in (version.required_reports or []) if kind in (*PERIODIC_KINDS, ReportKind.RESEARCH)]
    station_ids = {posting.station_id for posting in context.postings}
    if not kinds or not station_ids:
        return
    since = context.today - datetime.timedelta(days=400)
    # The calendar up to the due dates of this year's periods (an annual report's is in the next year).
    with workdays.preloaded(datetime.date(since.year - 1, 1, 1),
                            datetime.date(context.today.year, 12, 31) + datetime.timedelta(days=120)):
        yield from _overdue(context, version, kinds, station_ids, since)


def _overdue(context, version, kinds, station_ids, since):
    reports = {}
    for report in Report.objects.filter(station_id__in=station_ids, kind__in=kinds,
                                        period_end__gte=datetime.date(since.year - 1, 1, 1)):
        # Research reports are keyed by their year (a team may file several; one sent is enough).
        start = report.period_start.replace(month=1, day=1) if report.kind == ReportKind.RESEARCH else (
            report.period_start)
        key = (report.station_id, report.kind, start)
        if key not in reports or reports[key].status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            reports[key] = report
    started = {}
    for posting in context.postings:
        started[posting.station_id] = min(started.get(posting.station_id, posting.start_date), posting.start_date)
    for kind in kinds:
        for first, last in _periods(kind, since, context.today):
            # Due as the rules in force in the period's year said (as `reports.report_open` dates it).
            due = report_rules.due_date(kind, first, last, context.version_for(first.year))
            if due >= context.today or due < since:
                continue
            for station_id in sorted(station_ids):
                station = context.stations[station_id]
                # A team owes the report of every period it was at work in, even in part.
                opened = max(filter(None, [station.opened_on, started[station_id]]))
                if opened > last:
                    continue
                report = reports.get((station_id, kind, first))
                if report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
                    continue
                state = gettext_noop("returned, not sent again") if (
                    report and report.status == ReportStatus.RETURNED) else (
                    gettext_noop("a draft") if report else gettext_noop("not started"))
                yield Warning(f"report_overdue:{station_id}:{kind}:{first}", "report_overdue", station, gettext_noop(
                    "%(kind)s for %(period)s was due on %(due)s: %(state)s (%(days)s days late)."), {
                    "kind": translatable(ReportKind(kind).label), "period": f"{first:%Y-%m}", "due": str(due),
                    "state": translatable(state), "days": (context.today - due).days},
                    report.get_absolute_url() if report else reverse("stations:report_list", args=[station_id]),
                    since=due, team_acts=True)


def judgement_warnings(context: Context):
    """People the office judged to progress badly, until someone records the interview."""
    station_ids = set(context.stations)
    judged = AccountabilityRecord.objects.filter(
        station_id__in=station_ids, kind=AccountabilityKind.POOR_PROGRESS).select_related("person")
    for record in judged:
        # The evidence stays on the person's page, which colleagues do not read.
        yield Warning(f"poor_progress:{record.pk}", "poor_progress", context.stations[record.station_id],
                      gettext_noop("%(person)s was judged on %(date)s to progress badly; an interview is due."), {
            "person": record.person.name, "date": str(record.decided_on)},
            record.get_absolute_url(), record.person, record.decided_on)


def event_warnings(context: Context):
    """Large events held in the last 90 days without the approval they needed in advance."""
    # A refused or withdrawn event is taken not to have been held.
    for event in Event.objects.filter(station_id__in=set(context.stations), is_large=True, approved_in_advance=False,
                                      date__lte=context.today, date__gte=context.today - datetime.timedelta(days=90)
                                      ).exclude(status__in=(RequestStatus.REFUSED, RequestStatus.WITHDRAWN)):
        yield Warning(f"event_unapproved:{event.pk}", "event_unapproved", context.stations[event.station_id],
                      gettext_noop("%(event)s on %(date)s took place without the approval it needed."), {
            "event": event.title, "date": str(event.date)}, event.get_absolute_url(), since=event.date)


# Providers: callables taking a `Context` and yielding `Warning`s. Other apps append theirs.
WARNING_PROVIDERS = [presence_warnings, report_warnings, judgement_warnings, event_warnings]


def compute(stations, today: datetime.date | None = None) -> list[Warning]:
    """All warnings about `stations` (a queryset of teams), unhandled first, then by team."""
    return _mark_handled(_found(stations, today or timezone.localdate()))


def _found(stations, today: datetime.date) -> list[Warning]:
    versions = list(ProfileVersion.objects.filter(profile__is_active=True).order_by("-year"))
    resident = {}
    if versions:
        for version_id, kind in TeamKindRule.objects.filter(version__in=versions, is_resident=True).values_list(
                "version_id", "kind"):
            resident.setdefault(version_id, set()).add(kind)
    station_map = {station.pk: station for station in stations.filter(is_active=True)}
    postings = list(Posting.objects.current().filter(station_id__in=station_map, start_date__lte=today)
                    .select_related("person", "station").order_by("station__name", "role", "pk"))
    context = Context(today=today, version=None, stations=station_map, postings=postings, versions=versions,
                      resident_by_version={pk: frozenset(kinds) for pk, kinds in resident.items()})
    context.version = context.version_for(today.year)
    context.resident = context.resident_for(context.version)
    return [warning for provider in WARNING_PROVIDERS for warning in provider(context)]


def _mark_handled(found: list[Warning]) -> list[Warning]:
    handled = set(AccountabilityRecord.objects.filter(warning_key__in=[warning.key for warning in found])
                  .values_list("warning_key", flat=True))
    for warning in found:
        warning.handled = warning.key in handled
    found.sort(key=lambda warning: (warning.handled, warning.station.name, warning.kind, warning.key))
    return found


# --- The stored snapshot --------------------------------------------------------------------------

def refresh(stations, today: datetime.date | None = None) -> int:
    """Compute again the warnings of those of `stations` (a queryset of teams) whose snapshot is
    missing, stale or not from `today`, and store them; return how many teams were computed.

    One query when every snapshot is fresh; otherwise a fixed number (the computation's and seven
    more) however many teams are due. The teams' state rows are created if missing and locked
    for the transaction, so two requests never compute and store one team at once: the second
    waits, then finds the snapshot fresh. A team marked stale while it is being computed waits on
    the lock too, and stays stale after."""
    today = today or timezone.localdate()
    due = {pk for pk, computed_on, stale in stations.values_list(
        "pk", "warning_state__computed_on", "warning_state__stale") if computed_on != today or stale is not False}
    if not due:
        return 0
    with transaction.atomic():
        WarningState.objects.bulk_create([WarningState(station_id=pk, computed_on=today, stale=True) for pk in due],
                                         ignore_conflicts=True)
        locked = WarningState.objects.select_for_update().filter(station_id__in=due).order_by("station_id")
        due = [state.station_id for state in locked if state.stale or state.computed_on != today]
        if not due:
            return 0
        rows = {}
        for warning in _found(Station.objects.filter(pk__in=due), today):
            rows.setdefault((warning.station.pk, warning.key), StoredWarning(
                station=warning.station, key=warning.key, kind=warning.kind, person=warning.person,
                since=warning.since, message=warning.message, params=warning.params, url=warning.url,
                team_acts=warning.team_acts))
        StoredWarning.objects.filter(station_id__in=due).delete()
        StoredWarning.objects.bulk_create(rows.values())
        WarningState.objects.filter(station_id__in=due).update(computed_on=today, stale=False)
    return len(due)


def stored(stations) -> list[Warning]:
    """The stored warnings of the active teams among `stations`, sorted as `compute` sorts them
    (two queries). Call `refresh` first for an up-to-date answer."""
    rows = (StoredWarning.objects.filter(station__in=stations, station__is_active=True)
            .select_related("station", "person"))
    return _mark_handled([
        Warning(row.key, row.kind, row.station, row.message, row.params, row.url, row.person, row.since,
                team_acts=row.team_acts) for row in rows])


def stored_rows(stations, *, kind: str = ""):
    """The stored warnings of the active teams among `stations` as a queryset (of `kind` when
    given), annotated `handled`, in `compute`'s order: for pages that count or show fifty at a time
    what a province has thousands of. Call `refresh` first; `as_warning` turns a row into a `Warning`."""
    rows = (StoredWarning.objects.filter(station__in=stations, station__is_active=True)
            .annotate(handled=Exists(AccountabilityRecord.objects.filter(warning_key=OuterRef("key"))))
            .select_related("station", "person").order_by("handled", "station__name", "kind", "key"))
    return rows.filter(kind=kind) if kind else rows


def as_warning(row: StoredWarning) -> Warning:
    return Warning(row.key, row.kind, row.station, row.message, row.params, row.url, row.person, row.since,
                   team_acts=row.team_acts, handled=row.handled)


def mark_stale(station_ids) -> None:
    """Compute the warnings of `station_ids` (ids, or a queryset of ids) again at the next read."""
    WarningState.objects.filter(station_id__in=station_ids, stale=False).update(stale=True)


def mark_stale_for_people(person_ids, station_ids=()) -> None:
    """As `mark_stale`, for the teams `person_ids` are or were posted to (presence, visits and
    names are a person's, whichever team they log for) and `station_ids` (ids or querysets of
    ids; one query)."""
    WarningState.objects.filter(
        Q(station_id__in=Posting.objects.filter(person_id__in=person_ids).values("station_id"))
        | Q(station_id__in=station_ids), stale=False).update(stale=True)


def mark_all_stale() -> None:
    """Compute every team again at the next read (the profile or the calendar changed)."""
    WarningState.objects.filter(stale=False).update(stale=True)


def acting_users(warning: Warning, bureau_users, chiefs_by_station) -> list:
    """Who must act: the bureau always; the team's chief too where the team can put it right."""
    users = list(bureau_users)
    if warning.team_acts:
        users += chiefs_by_station.get(warning.station.pk, [])
    return users


def send_reminders(*, today: datetime.date | None = None) -> dict:
    """Open a reminder for every unhandled warning in the to-do list of each user who must act,
    close reminders whose warning is gone or handled, and e-mail each user the new ones. The
    to-dos are written in one transaction; the mails go after it commits, so a mail server that
    fails half-way cannot leave to-dos behind that were never written (or mail twice for them)."""
    with transaction.atomic():
        result, new_by_user = _refresh_reminders(today)
    mailed = 0
    for user, items in new_by_user.items():
        if user.email:
            lines = [f"- {warning.label}: {warning.detail}" for warning in items]
            send_mail(_("Outpost: %(count)s new warning(s)") % {"count": len(items)}, "\n".join(lines),
                      None, [user.email])
            mailed += 1
    return {**result, "mailed": mailed}


def _refresh_reminders(today):
    teams = Station.objects.all()
    refresh(teams, today)  # the nightly run fills the day's snapshot before anyone reads it
    warnings = [warning for warning in stored(teams) if not warning.handled]
    bureau_users = list(get_user_model().objects.filter(groups__name=Role.BUREAU, is_active=True))
    chiefs = {}
    for posting in Posting.objects.current().chiefs().filter(person__user__is_active=True).select_related(
            "person__user"):
        chiefs.setdefault(posting.station_id, []).append(posting.person.user)
    before = set(TodoItem.objects.open().filter(kind=TodoKind.REMINDER).values_list("user_id", "key"))
    new_by_user, live = {}, set()
    for warning in warnings:
        for user in acting_users(warning, bureau_users, chiefs):
            live.add((user.pk, warning.key))
            todo_open(user=user, kind=TodoKind.REMINDER, title=f"{warning.label}: {warning.detail}"[:200],
                      target=warning.station, url=warning.url, station=warning.station, key=warning.key)
            if (user.pk, warning.key) not in before:
                new_by_user.setdefault(user, []).append(warning)
    stale = [pk for pk, user_id, key in TodoItem.objects.open().filter(kind=TodoKind.REMINDER)
             .values_list("pk", "user_id", "key") if (user_id, key) not in live]
    closed = TodoItem.objects.filter(pk__in=stale).update(done_at=timezone.now())
    return {"warnings": len(warnings), "opened": sum(len(items) for items in new_by_user.values()),
            "closed": closed}, new_by_user
