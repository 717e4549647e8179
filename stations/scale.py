"""Province-size data for the benchmark and for trying the app at scale (`seed_scale`).

`build(teams=N)` fills an empty database with N teams and what a bureau keeps about them: the
organisation and its people (`organisation`, `duty`), then every app's part in the order of
`SCALE_EXTENSIONS` (leads, funding, reports, scores). For N = 1,000 that is about 5,000 people,
200,000 enterprises and 200,000 leads in every stage, a year of work logs for everyone posted
(about a million rows), monthly reports, spot checks, events, budgets and 100,000 ledger entries.

Rows are written set-based: model instances are generated lazily and inserted with one INSERT per
batch (`World.insert`), never one by one and never through the services. Services stamp "now" and
check each request as a user would make it; a year of history for a thousand teams cannot be lived
through request by request. For the same reason no change history is written: nobody's hand made
these rows. The data is deterministic for a given `--seed`, and consistent with the rules the app
enforces (the profile's stages, the ledger's signs and ceilings, one log per person and day).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from . import figures, services
from .demo import ACTIVITIES
from .duty import version_in_force
from .models import (
    Absence,
    AbsenceDecision,
    AbsenceKind,
    ApprovalProcess,
    CheckMethod,
    CheckResult,
    DispatchMeeting,
    DispatchTask,
    Event,
    EventRole,
    Outcome,
    Person,
    Posting,
    PostingRole,
    Profile,
    Report,
    ReportKind,
    ReportReview,
    ReportStatus,
    ReportVersion,
    RequestStatus,
    ReviewOutcome,
    SpotCheck,
    Station,
    StationUnit,
    TeamKindRule,
    Unit,
    UnitKind,
    Whereabouts,
    WorkLog,
)
from .permissions import Role, chain_of
from .reports import due_date, period

# Other apps add their part here (in AppConfig.ready): (order, callable taking the world). The
# duty reports come at 50, after the leads (20) and the money (30) their figures count, and the
# scores at 90, after everything they score.
SCALE_EXTENSIONS: list[tuple[int, Callable[[World], None]]] = []

DEFAULT_PASSWORD = "outpost-scale-2026"  # noqa: S105 — the documented password of the scale logins
BATCH = 5000

CITIES = [
    ("上海", "长三角"), ("苏州", "长三角"), ("无锡", "长三角"), ("杭州", "长三角"), ("宁波", "长三角"), ("南京", "长三角"),
    ("昆山", "长三角"), ("合肥", "长三角"), ("北京", "京津冀"), ("天津", "京津冀"), ("广州", "珠三角"), ("深圳", "珠三角"),
    ("佛山", "珠三角"), ("东莞", "珠三角"), ("厦门", "海西"), ("福州", "海西"), ("武汉", "中部"), ("长沙", "中部"),
    ("郑州", "中部"), ("成都", "西部"), ("重庆", "西部"), ("西安", "西部"), ("青岛", "环渤海"), ("济南", "环渤海"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文斌宇浩然晨欣佳凯峰雪梅海波立新春生俊"
RANKS = ["副局长", "党组成员", "四级主任科员", "一级科员", "二级主任科员", "三级主任科员", "副主任"]

# The logins the benchmark and the README use: (username, display name, role group, superuser).
ROLE_LOGINS = [
    ("scale-admin", "系统管理员", None, True),
    ("scale-bureau", "招商局审核员", Role.BUREAU, False),
    ("scale-assessor", "考核办", Role.ASSESSMENT, False),
    ("scale-finance", "财政局", Role.FINANCE, False),
    ("scale-leader", "分管领导", Role.LEADERSHIP, False),
    ("scale-park", "开发区", Role.PARK, False),
    ("scale-audit", "审计局", Role.AUDIT, False),
]


@dataclass
class World:
    """What every part of the build shares: the size, the clock, the dice and what is built."""

    teams: int
    seed: int
    today: datetime.date
    echo: Callable[[str], None] = print
    rng: random.Random = field(init=False)
    users: dict = field(default_factory=dict)  # role login name -> user
    units: list = field(default_factory=list)  # forming units (departments)
    parks: list = field(default_factory=list)
    stations: list = field(default_factory=list)
    postings: list = field(default_factory=list)  # current postings, person and user loaded
    postings_by_station: dict = field(default_factory=dict)  # station pk -> current postings, chief first
    password_hash: str = ""

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 — repeatable test data, not secrets
        self.year = self.today.year
        # A year of logs: the 365 days up to yesterday.
        self.first = self.today - datetime.timedelta(days=365)

    @property
    def admin(self):
        return self.users["scale-admin"]

    def insert(self, label: str | None, model: type[models.Model], rows: Iterable[models.Model], *,
               keep: bool = False, batch_size: int = BATCH) -> list[models.Model]:
        """Insert `rows` (any iterable, consumed lazily) with one INSERT per batch and print the
        count and time under `label` (nothing without one). With `keep`, return the saved instances
        (their primary keys set)."""
        started, count, kept = time.perf_counter(), 0, []
        iterator = iter(rows)
        while batch := list(islice(iterator, batch_size)):
            model.objects.bulk_create(batch, batch_size=batch_size)
            count += len(batch)
            if keep:
                kept.extend(batch)
        if label:
            self.echo(f"  {label:<34} {count:>10,} rows {time.perf_counter() - started:7.1f} s")
        return kept

    def moment(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rng.randrange(60))))

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randrange(max((last - first).days, 0) + 1))

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2))))


@contextmanager
def past_timestamps(model: type[models.Model], *names: str):
    """Let bulk inserts of `model` set its `auto_now`/`auto_now_add` fields, so that history built
    at once carries the dates it would have had (the fields stamp "now" otherwise)."""
    stamped = [model._meta.get_field(name) for name in names]
    saved = [(stamp.auto_now, stamp.auto_now_add) for stamp in stamped]
    for stamp in stamped:
        stamp.auto_now = stamp.auto_now_add = False
    try:
        yield
    finally:
        for stamp, (auto_now, auto_now_add) in zip(stamped, saved, strict=True):
            stamp.auto_now, stamp.auto_now_add = auto_now, auto_now_add


def build(*, teams: int, profile_code: str, password: str = DEFAULT_PASSWORD, seed: int = 2026,
          today: datetime.date | None = None, echo: Callable[[str], None] = print) -> World:
    """Fill an empty database with `teams` teams under the preset `profile_code` (made active).
    Run inside a transaction: a failure leaves nothing behind."""
    world = World(teams=teams, seed=seed, today=today or timezone.localdate(), echo=echo)
    world.password_hash = make_password(password)
    call_command("load_holidays", verbosity=0)
    services.presets_install()
    profile = Profile.objects.get(code=profile_code)
    organisation(world)
    services.profile_activate(profile=profile, user=world.admin)
    duty(world)
    for _order, extension in sorted([(50, reports), *SCALE_EXTENSIONS], key=lambda pair: pair[0]):
        extension(world)
    return world


def organisation(world: World) -> None:
    """Units, role logins, N teams with their forming units, and about five people a team: a chief
    and one to three staff posted now, and people whose postings ended (replaced earlier)."""
    user_model = get_user_model()
    rng = world.rng
    bureau = Unit.objects.create(name="区投资促进局（招商局）", short_name="区招商局", kind=UnitKind.BUREAU)
    departments = world.insert("units", Unit, (
        Unit(name=f"区第{number}职能部门", short_name=f"部门{number}", kind=UnitKind.DEPARTMENT)
        for number in range(1, max(world.teams // 5, 3) + 1)), keep=True)
    world.parks = world.insert("parks", Unit, (
        Unit(name=f"第{number}产业园区管委会", short_name=f"园区{number}", kind=UnitKind.PARK) for number in range(1, 6)),
        keep=True)
    world.units = departments
    logins = world.insert("role logins", user_model, (
        user_model(username=username, password=world.password_hash, is_superuser=superuser, is_staff=superuser,
                   first_name=display) for username, display, _role, superuser in ROLE_LOGINS), keep=True)
    world.users = {user.username: user for user in logins}
    groups = {group.name: group for group in Group.objects.all()}
    user_model.groups.through.objects.bulk_create([
        user_model.groups.through(user_id=world.users[username].pk, group_id=groups[role].pk)
        for username, _display, role, _superuser in ROLE_LOGINS if role])
    Person.objects.bulk_create([Person(user=world.users[username], name=display, home_unit=bureau)
                                for username, display, _role, _superuser in ROLE_LOGINS])

    kinds = list(TeamKindRule.objects.filter(version=version_in_force(world.year)).values_list("kind", flat=True))
    kind = kinds[0] if kinds else "resident_station"
    cities = [CITIES[number % len(CITIES)] for number in range(world.teams)]
    world.stations = world.insert("teams", Station, (
        Station(name=f"驻{city}招商站{number:04d}", code=f"S{number:05d}", kind=kind, home_city=city, region=region,
                opened_on=world.first - datetime.timedelta(days=rng.randrange(30, 2000)))
        for number, (city, region) in enumerate(cities, start=1)), keep=True)
    world.insert("forming units", StationUnit, (
        StationUnit(station=station, unit=unit) for station in world.stations
        for unit in rng.sample(departments, k=min(len(departments), rng.choice((1, 1, 2))))))

    # People: chief, staff (1–3) and the two people each team had before (postings ended).
    plan = []  # (station, role, current)
    for station in world.stations:
        plan.append((station, PostingRole.CHIEF, True))
        plan.extend((station, PostingRole.STAFF, True) for _ in range(rng.choice((1, 2, 2, 3))))
        plan.extend((station, PostingRole.STAFF, False) for _ in range(2))
    users = world.insert("people's logins", user_model, (
        user_model(username=f"p{number:06d}", password=world.password_hash) for number in range(1, len(plan) + 1)),
        keep=True)
    people = world.insert("people", Person, (
        Person(user=user, name=world.name(), rank=rng.choice(RANKS), is_leadership_member=role == PostingRole.CHIEF,
               staff_category=rng.choice(("civil_servant", "civil_servant", "managed", "institution")),
               education=rng.choice(("bachelor", "bachelor", "master", "college")),
               birth_date=datetime.date(1965 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28)),
               home_unit=rng.choice(departments), phone=f"139{user.pk:08d}")
        for user, (_station, role, _current) in zip(users, plan, strict=True)), keep=True)
    for person, user in zip(people, users, strict=True):
        person.user = user

    def posting(person, station, role, current):
        # Current postings began within the year of logs, so every day posted has its log.
        start = max(station.opened_on, world.first + datetime.timedelta(days=rng.randrange(0, 60)))
        if current:
            return Posting(person=person, station=station, role=role, home_unit=person.home_unit, start_date=start,
                           title="主任" if role == PostingRole.CHIEF else "工作人员",
                           term_end=start + datetime.timedelta(days=730),
                           certificate_no=f"招聘〔{start.year}〕{person.pk}号", certificate_date=start)
        began = station.opened_on
        return Posting(person=person, station=station, role=role, home_unit=person.home_unit, title="工作人员",
                       start_date=began, ended_on=max(began, start - datetime.timedelta(days=1)), end_reason="任期届满")

    postings = world.insert("postings", Posting, (
        posting(person, station, role, current) for person, (station, role, current) in zip(people, plan, strict=True)),
        keep=True)
    world.postings = [item for item in postings if item.ended_on is None]
    for item in world.postings:  # the plan lists each team's chief first
        world.postings_by_station.setdefault(item.station_id, []).append(item)
    # The benchmark's chief: the first team's chief logs in as `scale-chief`.
    chief = world.postings[0].person.user
    chief.username = "scale-chief"
    chief.save(update_fields=["username"])
    world.users["scale-chief"] = chief


def duty(world: World) -> None:
    """A year of station duty: leave, logs for every day of every current posting (some days not
    logged, some away), spot checks, events and last month's dispatch meeting."""
    rng, today = world.rng, world.today
    bureau = world.users["scale-bureau"]
    leave = _leave(world)
    world.insert("work logs", WorkLog, _logs(world, leave), batch_size=10_000)
    world.insert("spot checks", SpotCheck, (
        SpotCheck(person=posting.person, station=posting.station, date=day, method=rng.choice(list(CheckMethod)),
                  result=CheckResult.ABNORMAL if rng.random() < 0.04 else CheckResult.NORMAL,
                  note="", checked_by=bureau)
        for posting in world.postings
        for day in sorted({world.day_between(max(posting.start_date, world.first), today - datetime.timedelta(days=1))
                           for _ in range(6)})))

    def events(station):
        chief = world.postings_by_station[station.pk][0].person.user
        for months_ago in range(1, 12, 3):
            day = (today.replace(day=1) - datetime.timedelta(days=30 * months_ago)).replace(day=15)
            yield Event(station=station, title=f"{day:%-m}月全市招商推介会", date=day, place="市会展中心",
                        role=EventRole.ATTENDED, city_required=True, created_by=chief)
        day = world.day_between(world.first, today - datetime.timedelta(days=1))
        invited = rng.randrange(3, 20)
        yield Event(station=station, title=f"{station.home_city}产业对接会", date=day, place=station.home_city,
                    role=EventRole.HOSTED, invited_enterprises=invited, attended_enterprises=invited - 1,
                    is_large=invited >= 10, status=RequestStatus.APPROVED, approved_in_advance=True,
                    outcome="达成合作意向", created_by=chief)

    world.insert("events", Event, (event for station in world.stations for event in events(station)))
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    meeting = DispatchMeeting.objects.create(month=month, held_on=today.replace(day=1), place="局三楼会议室",
                                             chaired_by="分管领导", minutes="通报上月各站工作情况和排名。", created_by=bureau)
    world.insert("dispatch tasks", DispatchTask, (
        DispatchTask(meeting=meeting, station=station, description="补充重点项目推进情况",
                     due_date=today + datetime.timedelta(days=7)) for station in world.stations[::20]))


def _leave(world: World) -> dict[tuple[int, datetime.date], str]:
    """Two rotation leaves of three days a year for everyone posted, approved along the profile's
    chain (one decision row per step); returns the days they cover."""
    covered = {}
    # Every team is of one kind here, so one chain serves them all.
    steps = [(step.position, step.actor, step.action)
             for step in chain_of(world.stations[0], ApprovalProcess.LEAVE)]
    absences = []
    for posting in world.postings:
        for _ in range(2):
            start = world.day_between(max(posting.start_date, world.first), world.today - datetime.timedelta(days=5))
            end = start + datetime.timedelta(days=2)
            if any((posting.person_id, start + datetime.timedelta(days=offset)) in covered for offset in range(3)):
                continue
            for offset in range(3):
                covered[(posting.person_id, start + datetime.timedelta(days=offset))] = AbsenceKind.LEAVE
            absences.append(Absence(person=posting.person, station=posting.station, kind=AbsenceKind.LEAVE,
                                    start_date=start, end_date=end, reason="轮休", status=RequestStatus.APPROVED,
                                    requested_by=posting.person.user))
    saved = world.insert("leave", Absence, absences, keep=True)
    bureau = world.users["scale-bureau"]
    world.insert("leave decisions", AbsenceDecision, (
        AbsenceDecision(absence=absence, position=position, actor=actor, action=action, outcome=Outcome.DONE,
                        decided_by=bureau) for absence in saved for position, actor, action in steps))
    return covered


def _logs(world: World, leave: dict):
    """Every day of every current posting up to yesterday: at post mostly, on trips, on leave when
    approved; about one day in forty not logged and one in a hundred away without leave."""
    rng = world.rng
    yesterday = world.today - datetime.timedelta(days=1)
    for posting in world.postings:
        person, station, user = posting.person, posting.station, posting.person.user
        day = max(posting.start_date, world.first)
        while day <= yesterday:
            roll = rng.random()
            if roll < 0.025:
                day += datetime.timedelta(days=1)
                continue
            kinds, text = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
            whereabouts = Whereabouts.AT_POST
            if (person.pk, day) in leave:
                whereabouts, kinds, text = Whereabouts.LEAVE, [], "轮休"
            elif roll < 0.035:
                whereabouts, kinds, text = Whereabouts.ABSENT, [], "家中有事"
            elif roll < 0.12:
                whereabouts = Whereabouts.TRAVEL
            elif day.weekday() >= 5:
                kinds, text = [], "值守，整理本周工作"
            yield WorkLog(person=person, station=station, date=day, whereabouts=whereabouts,
                          activity_kinds=list(kinds), activities=text, created_by=user)
            day += datetime.timedelta(days=1)


def reports(world: World) -> None:
    """Every team's monthly reports of the last twelve months with the figures of their month (the
    leads and money are in by now), accepted and mostly on time; of last month's, some wait for
    review, a few were returned and a few are not sent yet, as the review queue sees them."""
    rng, bureau = world.rng, world.users["scale-bureau"]
    this_month = world.today.replace(day=1)
    version = version_in_force(world.year)
    required = set(version.required_reports or ()) if version else set()
    planned = []  # (report, chief's user, submitted at)
    for months_ago in range(12, 0, -1):
        index = this_month.year * 12 + this_month.month - 1 - months_ago
        first, last = period(ReportKind.MONTHLY, index // 12, index % 12 + 1)
        due = due_date(ReportKind.MONTHLY, first, last, version_in_force(first.year))
        values = figures.collect([station.pk for station in world.stations], first, last)
        for station in world.stations:
            status = ReportStatus.ACCEPTED
            if months_ago == 1:
                status = rng.choices([ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.RETURNED, None],
                                     weights=(60, 25, 5, 10))[0]
            late = rng.choice((0, 0, 0, 0, 1, 3)) if status else 0
            submitted = world.moment(due + datetime.timedelta(days=late - 1), hour=17)
            if status is None or submitted.date() >= world.today:
                continue
            chief = world.postings_by_station[station.pk][0].person.user
            planned.append((Report(station=station, kind=ReportKind.MONTHLY, period_start=first, period_end=last,
                                   due_date=due, status=status, first_submitted_at=submitted,
                                   days_late=max((submitted.date() - due).days, 0), created_by=chief,
                                   created_at=submitted - datetime.timedelta(days=2),
                                   body=f"{first:%Y年%-m月}工作小结：走访企业、收集项目信息、参加推介活动，详见附表。",
                                   figures=figures.as_json(values[station.pk])), chief, submitted))
    # The other periodic reports the profile asks for: the last four quarters, two halves and last
    # year's annual summary, each sent before it was due and accepted.
    for kind, per_year, back in ((ReportKind.QUARTERLY, 4, 4), (ReportKind.HALF_YEAR, 2, 2), (ReportKind.ANNUAL, 1, 1)):
        current = world.today.year * per_year + (world.today.month - 1) * per_year // 12
        for index in range(current - back, current):
            year, number = divmod(index, per_year)
            first, last = period(kind, year, number + 1)
            due = due_date(kind, first, last, version_in_force(year))
            submitted = world.moment(min(due, world.today) - datetime.timedelta(days=1), hour=16)
            if kind not in required or submitted.date() >= world.today:
                continue
            values = figures.collect([station.pk for station in world.stations], first, last)
            for station in world.stations:
                chief = world.postings_by_station[station.pk][0].person.user
                planned.append((Report(station=station, kind=kind, period_start=first, period_end=last, due_date=due,
                                       status=ReportStatus.ACCEPTED, first_submitted_at=submitted, days_late=0,
                                       created_by=chief, created_at=submitted - datetime.timedelta(days=2),
                                       body=f"{first:%Y年%-m月}起{kind.label}：重点项目推进情况、存在问题和下步计划。",
                                       figures=figures.as_json(values[station.pk])),
                                chief, submitted))
    with past_timestamps(Report, "created_at"):
        saved = world.insert("reports", Report, (report for report, _chief, _at in planned), keep=True)
    versions = world.insert("report versions", ReportVersion, (
        ReportVersion(report=report, number=1, figures=report.figures, body=report.body, submitted_by=chief,
                      submitted_at=submitted, late=bool(report.days_late))
        for report, (_report, chief, submitted) in zip(saved, planned, strict=True)), keep=True)
    returned = ReportStatus.RETURNED
    with past_timestamps(ReportReview, "reviewed_at"):
        world.insert("report reviews", ReportReview, (
            ReportReview(version=version, reviewer=bureau,
                         outcome=ReviewOutcome.RETURNED if version.report.status == returned else ReviewOutcome.ACCEPTED,
                         comment="请补充重点项目推进情况和下月计划" if version.report.status == returned else "",
                         reviewed_at=min(version.submitted_at + datetime.timedelta(days=2), timezone.now()))
            for version in versions if version.report.status in (ReportStatus.ACCEPTED, returned)))
