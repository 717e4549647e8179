"""The leads of `seed_scale` (registered in LeadsConfig.ready; see `stations.scale`): for every
team, 200 enterprises met and 200 leads filed over three years, spread over every stage the active
profile uses and its exits, each with the stage changes that brought it there and the facts its
stage needs (screening decisions, investor visits, contracts, funds in place, output); visits and
contacts; and work-log entries that mention the team's leads.

Teams are built in chunks so that memory stays flat whatever N is.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from stations.models import WorkLog
from stations.scale import World, past_timestamps

from . import services
from .models import (
    Contact,
    Enterprise,
    FundsEntry,
    Industry,
    InvestorVisit,
    Lead,
    LeadOutcome,
    LogMention,
    MeetingDecision,
    ScreeningDecision,
    ScreeningMeeting,
    Stage,
    StageChange,
    Visit,
)
from .models.enterprises import credit_code_check_character, normalise_enterprise_name
from .models.leads import ExecutiveRank, Source
from .models.rules import PIPELINE

LEADS_PER_TEAM = 200
VISITS_PER_TEAM = 50
CHUNK = 50  # teams per chunk
WAN = Decimal(10_000)

# Where leads end up (weights): the funnel narrows, and some leave it.
STAGE_WEIGHTS = {
    Stage.FILED: 22, Stage.SCREENING: 8, Stage.TRANSFERRED: 10, Stage.NEGOTIATION: 14, Stage.INTENTION: 7,
    Stage.AGREEMENT: 5, Stage.REVIEW: 3, Stage.SIGNED: 5, Stage.STARTED: 4, Stage.COMPLETED: 2,
    Stage.PRODUCTION: 3, Stage.REJECTED: 8, Stage.ON_HOLD: 5, Stage.LOST: 4,
}
# A move to an exit needs its reason.
EXIT_NOTES = {Stage.REJECTED: "不符合产业方向", Stage.ON_HOLD: "企业投资计划推迟", Stage.LOST: "企业选择其他地区"}
WORDS = ["精密", "智能", "新能源", "生物", "华创", "恒通", "瑞康", "启辰", "锦程", "海天", "云集", "鼎盛", "中科", "远航"]
TRADES = ["电子", "装备", "材料", "医药", "汽车零部件", "食品", "纺织", "物流", "信息技术", "化工"]


def seed(world: World) -> None:
    rules = services.rules_for()
    path = [stage for stage in PIPELINE if stage not in set(rules.skipped_stages or ())]
    weights = {stage: weight for stage, weight in STAGE_WEIGHTS.items() if stage in path or stage not in PIPELINE}
    industries = list(Industry.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    today = world.today
    meetings = {}
    with past_timestamps(ScreeningMeeting, "created_at"):
        for months_ago in range(36, -1, -1):
            index = today.year * 12 + today.month - 1 - months_ago
            day = datetime.date(index // 12, index % 12 + 1, 10)
            if day < today:
                meetings[(day.year, day.month)] = day
        saved = world.insert("screening meetings", ScreeningMeeting, (
            ScreeningMeeting(date=day, note="研判本月报送线索", held_by=world.users["scale-bureau"],
                             created_at=world.moment(day)) for day in meetings.values()), keep=True)
    world.screening_meetings = {(meeting.date.year, meeting.date.month): meeting for meeting in saved}
    world.leads_by_station = {}
    counts, started = {}, time.perf_counter()
    for start in range(0, len(world.stations), CHUNK):
        stations = world.stations[start:start + CHUNK]
        for label, count in _chunk(world, stations, path, weights, industries, rules).items():
            counts[label] = counts.get(label, 0) + count
    world.echo(f"  {' + '.join(counts):<34} {sum(counts.values()):>10,} rows "
               f"{time.perf_counter() - started:7.1f} s ({', '.join(f'{count:,}' for count in counts.values())})")
    _mentions(world)


def _chunk(world: World, stations, path, weights, industries, rules) -> dict[str, int]:
    rng, today = world.rng, world.today

    def insert(model, rows, keep=False):  # no progress line per chunk: `seed` prints the totals
        return world.insert(None, model, rows, keep=keep)

    enterprises = insert(Enterprise, (
        _enterprise(rng, station, number, industries) for station in stations for number in range(LEADS_PER_TEAM)),
        keep=True)
    by_station = [enterprises[index:index + LEADS_PER_TEAM] for index in range(0, len(enterprises), LEADS_PER_TEAM)]
    contacts = insert(Contact, (
        Contact(station=station, enterprise=enterprise, name=world.name(), title="投资总监",
                phone=f"138{enterprise.pk:08d}")
        for station, owned in zip(stations, by_station, strict=True) for enterprise in owned[::2]), keep=True)
    contact_of = {contact.enterprise_id: contact for contact in contacts}
    plans = []  # (lead, [(stage, at)])
    for station, owned in zip(stations, by_station, strict=True):
        filer = world.postings_by_station[station.pk]
        for enterprise in owned:
            plans.append(_lead(world, station, enterprise, contact_of.get(enterprise.pk), path, weights,
                               rng.choice(filer).person.user))
    with past_timestamps(Lead, "created_at", "updated_at"):
        leads = insert(Lead, (lead for lead, _steps in plans), keep=True)
    for lead in leads:
        world.leads_by_station.setdefault(lead.station_id, []).append(lead.pk)
    with past_timestamps(StageChange, "at"):
        insert(StageChange, (
            StageChange(lead=lead, from_stage=before, to_stage=stage, at=at, by=lead.filed_by,
                        note=EXIT_NOTES.get(stage, ""))
            for lead, (_lead, steps) in zip(leads, plans, strict=True)
            for (before, _was), (stage, at) in zip([("", None), *steps], steps, strict=False)))
    bureau = world.users["scale-bureau"]
    decided = [(lead, steps) for lead, (_lead, steps) in zip(leads, plans, strict=True)
               if any(stage in (Stage.TRANSFERRED, Stage.REJECTED) for stage, _at in steps)]
    insert(ScreeningDecision, (
        ScreeningDecision(meeting=world.screening_meetings[_month_of(at, world)], lead=lead,
                          decision=MeetingDecision.VALID if stage == Stage.TRANSFERRED else MeetingDecision.REJECTED,
                          reason="符合我区产业方向" if stage == Stage.TRANSFERRED else "不符合产业方向",
                          transfer_to=lead.transferred_to, follower=lead.follower)
        for lead, steps in decided for stage, at in steps if stage in (Stage.TRANSFERRED, Stage.REJECTED)))
    negotiated = [lead for lead in leads if lead.stage in path[path.index(Stage.NEGOTIATION):]]

    def investor_visit(lead):
        after = timezone.localdate(lead.transferred_at or lead.filed_at) + datetime.timedelta(days=10)
        visit = InvestorVisit(lead=lead, date=min(after, today - datetime.timedelta(days=1)),
                              executive_name=world.name(), rank=rng.choice(list(ExecutiveRank)),
                              departments="区招商局、园区", received_by_leader=rng.random() < 0.5, real_intent=True,
                              recorded_by=bureau)
        visit.qualifies = services.visit_qualifies(visit, rules)  # as the service decides it
        return visit

    insert(InvestorVisit, (investor_visit(lead) for lead in negotiated))
    with past_timestamps(FundsEntry, "recorded_at"):
        insert(FundsEntry, (
            FundsEntry(lead=lead, date=lead.started_on + datetime.timedelta(days=30 * number), amount=amount,
                       amount_cny=amount, note="到位资金", recorded_by=bureau,
                       recorded_at=world.moment(lead.started_on + datetime.timedelta(days=30 * number)))
            for lead in leads if lead.started_on
            for number, amount in enumerate([(lead.fixed_asset_investment / 4).quantize(WAN)] * 2)
            if lead.started_on + datetime.timedelta(days=30 * number) < today))
    insert(LeadOutcome, (
        LeadOutcome(lead=lead, year=today.year - 1, output_value=(lead.total_investment * Decimal("0.8")).quantize(WAN),
                    tax=(lead.total_investment * Decimal("0.04")).quantize(WAN))
        for lead in leads if lead.production_on))
    with past_timestamps(Visit, "created_at"):
        insert(Visit, (
            Visit(station=station, date=day, enterprise=enterprise, contact=contact_of.get(enterprise.pk),
                  purpose="介绍我区产业政策和投资环境", outcome="企业有意向来考察", new_investor=rng.random() < 0.2,
                  created_by=world.postings_by_station[station.pk][0].person.user, created_at=world.moment(day))
            for station, owned in zip(stations, by_station, strict=True)
            for enterprise, day in ((rng.choice(owned), world.day_between(world.first, today)) for _ in
                                    range(VISITS_PER_TEAM))))
    return {"enterprises": len(enterprises), "contacts": len(contacts), "leads": len(leads)}


def _enterprise(rng, station, number: int, industries) -> Enterprise:
    name = f"{station.home_city}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司（{station.code}-{number:03d}）"
    return Enterprise(name=name, normalised_name=normalise_enterprise_name(name), industry_id=rng.choice(industries),
                      credit_code=_credit_code(f"91{station.pk:06d}{number:04d}{rng.randrange(10**5):05d}")
                      if number % 2 else "",
                      city=station.home_city, tiers=["listed"] if rng.random() < 0.03 else [])


def _credit_code(first17: str) -> str:
    """A unified social credit code with its check character (the admin validates it)."""
    return first17 + credit_code_check_character(first17)


def _lead(world: World, station, enterprise, contact, path, weights, filer):
    """A lead at a stage drawn from `weights`, with the steps that took it there (stage, moment)."""
    rng, today = world.rng, world.today
    stage = rng.choices(list(weights), weights=list(weights.values()))[0]
    # Half the leads were filed this past year, the rest in the two years before.
    back = rng.randrange(1, 366) if rng.random() < 0.5 else rng.randrange(366, 3 * 365)
    filed = world.moment(today - datetime.timedelta(days=back), hour=9)
    if stage == Stage.REJECTED:
        route = [Stage.FILED, Stage.SCREENING, Stage.REJECTED]
    elif stage == Stage.ON_HOLD:
        route = path[:rng.randrange(1, path.index(Stage.SIGNED))] + [stage]
    elif stage == Stage.LOST:  # only a lead being negotiated can be lost
        route = path[:rng.randrange(path.index(Stage.NEGOTIATION) + 1, path.index(Stage.SIGNED))] + [stage]
    else:
        route = path[:path.index(stage) + 1]
    # The steps are a month apart, or closer, so that the last is before today began.
    room = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0))) - filed
    gap = min(datetime.timedelta(days=30), room / (len(route) + 1))
    steps = [(step, filed + gap * number) for number, step in enumerate(route)]
    at = steps[-1][1]
    reached = dict(steps)
    total = Decimal(rng.choice((1, 2, 3, 5, 8, 12, 20, 50, 100, 200))) * 1000 * WAN
    lead = Lead(station=station, title=f"{enterprise.name[:20]}项目", content="新建生产基地", enterprise=enterprise,
                investor_contact=contact, investor_name=contact.name if contact else world.name(),
                investor_phone=contact.phone if contact else "", industry_id=enterprise.industry_id,
                source=Source.STATION, total_investment=total, fixed_asset_investment=(total * Decimal("0.8")),
                land_mu=Decimal(rng.randrange(20, 300)), utilities="用电、用水", filed_at=filed, filed_by=filer,
                created_by=filer, created_at=filed, updated_at=at, stage=stage,
                duplicate_status="suspected" if rng.random() < 0.005 else "")
    if Stage.TRANSFERRED in reached:
        lead.transferred_to = rng.choice(world.parks)
        lead.transferred_at = reached[Stage.TRANSFERRED]
        lead.follower = "园区招商科"
    if Stage.SIGNED in reached:
        lead.signed_on, lead.contract_amount = reached[Stage.SIGNED].date(), total
    if Stage.STARTED in reached:
        lead.started_on = reached[Stage.STARTED].date()
    if Stage.COMPLETED in reached:
        lead.completed_on = reached[Stage.COMPLETED].date()
    if Stage.PRODUCTION in reached:
        lead.production_on = reached[Stage.PRODUCTION].date()
        lead.actual_fixed_asset_investment = lead.fixed_asset_investment
    if Stage.REVIEW in reached:
        lead.review_site, lead.review_land_utilities = "园区标准厂房地块", "水电气已到红线"
        lead.review_policy, lead.review_leader = "按招商引资优惠政策执行", "分管副区长"
    if stage == Stage.ON_HOLD:
        lead.held_from = route[-2]
    if stage == Stage.LOST:
        lead.lost_reason, lead.lost_poor_service = "企业选择其他地区", False
    return lead, steps


def _month_of(at, world: World):
    """The screening meeting of the month a lead was decided (the latest one for this month's)."""
    day = timezone.localdate(at)
    key = (day.year, day.month)
    return key if key in world.screening_meetings else max(world.screening_meetings)


def _mentions(world: World) -> None:
    """One work-log entry in ten mentions one of its team's leads."""
    rng = world.rng
    logs = (WorkLog.objects.annotate(tenth=F("pk") % 10).filter(tenth=0).order_by("pk")
            .values_list("pk", "station_id").iterator(chunk_size=20_000))
    world.insert("work-log mentions", LogMention, (
        LogMention(log_id=log, lead_id=rng.choice(world.leads_by_station[station]))
        for log, station in logs if world.leads_by_station.get(station)))
