"""Demo leads for `seed_demo` (registered in LeadsConfig.ready): enterprises and contact books,
visits, a screening meeting, leads at every stage, outside first providers, and duplicates
waiting for the bureau. Everything goes through the services, as the users who would do it."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from stations.models import Person, Station, Unit, UnitKind

from . import services
from .models import Contact, Enterprise, Industry, Lead, MeetingDecision, Stage, StageChange, Visit

WAN = Decimal("10000")

PARKS = [("襄州经济开发区管委会", "襄州经开区"), ("襄州区装备制造产业园管委会", "装备制造产业园")]

# (station code, title, enterprise, tiers, credit code, industry code, total 万元, fixed 万元, target stage,
#  outside first provider)
LEADS = [
    ("KS", "精密电子元器件生产基地", "昆山华锐精密电子有限公司", ["listed"], "", "C39", 30000, 26000, Stage.SIGNED, ""),
    ("KS", "汽车线束扩产项目", "苏州恒通汽车配件有限公司", [], "", "C36", 8000, 6500, Stage.NEGOTIATION, ""),
    ("SH", "新能源电池储能项目", "上海启辰新能源科技有限公司", ["private100"], "", "C38", 150000, 120000, Stage.STARTED, ""),
    ("SH", "生物医药研发中试基地", "上海瑞康生物医药有限公司", [], "", "C27", 20000, 15000, Stage.TRANSFERRED, ""),
    ("WX", "物联网传感器产业园", "无锡感知科技股份有限公司", ["listed"], "", "C39", 50000, 42000, Stage.REVIEW, ""),
    ("FZ", "食品冷链物流中心", "福建闽海食品集团有限公司", [], "", "G59", 12000, 9000, Stage.INTENTION, ""),
    ("FZ", "茶饮料生产线", "厦门鹭岛饮品有限公司", [], "", "C15", 3000, 2500, Stage.FILED, "陈老板（厦门襄阳商会）"),
    ("SZ", "纺织新材料项目", "苏州锦程纺织科技有限公司", [], "", "C17", 6000, 5000, Stage.LOST, ""),
    ("NB", "智能家电配套项目", "宁波海天电器有限公司", ["industry100"], "", "C38", 25000, 20000, Stage.AGREEMENT, ""),
    ("HZ", "跨境电商产业园", "杭州云集电子商务有限公司", [], "", "F51", 10000, 4000, Stage.SCREENING, ""),
    ("HZ", "农产品深加工项目", "温州瓯江农业发展有限公司", [], "", "C13", 5000, 4200, Stage.ON_HOLD, "李会长（温州商会）"),
    ("BJ", "航空零部件制造项目", "中航示例航空科技有限公司", ["central_soe"], "", "C37", 80000, 70000, Stage.PRODUCTION, ""),
    ("BJ", "数据中心项目", "北京云算科技有限公司", [], "", "I65", 60000, 55000, Stage.FILED, ""),
    ("FS", "陶瓷新材料生产线", "佛山陶华新材料有限公司", [], "", "C30", 15000, 13000, Stage.COMPLETED, ""),
    ("GZ", "汽车零部件产业园", "广州骏达汽车零部件有限公司", ["china500"], "", "C36", 200000, 180000, Stage.SIGNED, ""),
    ("GZ", "商贸综合体", "深圳前湾商业管理有限公司", [], "", "K70", 40000, 30000, Stage.REJECTED, ""),
]

# A team whose only lead stalled long ago: its people get the "no progress" warning.
STALLED = {"SZ"}
STALLED_DAYS = 250

# Two teams reporting the same project: the later filing waits for the bureau's decision.
DUPLICATES = [("HZ", "BJ", "数据中心建设项目（二期前期）", "北京云算科技有限公司")]


def seed(*, admin):
    if Lead.objects.exists():
        return
    rules = services.rules_for()
    if rules.version_id and not rules.version.profile.preset and not rules.visits_per_week:
        # The demo's local rules (an edited copy of a preset) add a weekly visit target per team.
        rules.visits_per_week = 2
        rules._change_reason = "seed_demo"
        rules.save()
    user_model = get_user_model()
    bureau = user_model.objects.get(username="bureau")
    park_user = user_model.objects.get(username="park")
    parks = []
    for name, short_name in PARKS:
        park, _created = Unit.objects.get_or_create(name=name, defaults={"short_name": short_name,
                                                                         "kind": UnitKind.PARK})
        parks.append(park)
    # The demo park login works for the first park.
    Person.objects.filter(user=park_user).update(home_unit=parks[0])
    today = timezone.localdate()
    meeting = services.meeting_create(user=bureau, date=today - datetime.timedelta(days=20),
                                      attendees=list(Unit.objects.filter(short_name__in=["区发改局", "区经信局"])),
                                      note="第三季度招商信息研判会")
    industries = {industry.code: industry for industry in Industry.objects.all()}
    for index, (code, title, company, tiers, credit, industry, total, fixed, target, outsider) in enumerate(LEADS):
        station = Station.objects.get(code=code)
        chief = user_model.objects.get(username=f"{code.lower()}-chief")
        enterprise = Enterprise.objects.filter(name=company).first()
        if enterprise is None:
            enterprise = Enterprise(name=company, tiers=tiers, credit_code=credit,
                                    industry=industries.get(industry[0]), city=station.home_city)
            enterprise.full_clean()  # also sets the normalised name used to find duplicates
            enterprise.save()
        contact = Contact.objects.create(station=station, enterprise=enterprise, name=f"{company[2:4]}总",
                                         title="投资部经理", phone=f"1380000{index:04d}")
        visit = Visit.objects.create(station=station, date=today - datetime.timedelta(days=30 + index),
                                     enterprise=enterprise, contact=contact, purpose="项目对接",
                                     outcome="对方有意向，约定回访", new_investor=True, created_by=chief)
        visit.visitors.set(Person.objects.filter(postings__station=station, postings__ended_on__isnull=True))
        lead = services.lead_file(
            user=chief, station=station, title=title, enterprise=enterprise,
            content=f"{company}拟在我区投资建设{title}。", total_investment=Decimal(total) * WAN,
            fixed_asset_investment=Decimal(fixed) * WAN, investor_name=contact.name, investor_phone=contact.phone,
            industry=industries.get(industry), category="industrial" if industry.startswith("C") else "tertiary",
            land_mu=Decimal(total // 500), utilities="双回路供电、天然气",
            first_provider_name=outsider, first_provider_unit=outsider.split("（")[-1].rstrip("）") if outsider else "",
            filed_at=timezone.now() - datetime.timedelta(days=STALLED_DAYS if code in STALLED else 120 - index * 6),
        )
        _advance(lead, target, chief=chief, bureau=bureau, park_user=park_user, park=parks[0], meeting=meeting,
                 today=today)
        if code in STALLED:
            # Its history happened long ago: no progress since (a "no progress" warning).
            StageChange.objects.filter(lead=lead).update(at=lead.filed_at + datetime.timedelta(days=3))
    _aftercare(bureau=bureau, park_user=park_user, today=today, parks=parks)
    _weekly_visits(today)
    # A lead the Ningbo station follows itself (the second path of seed 000), with an investor visit.
    chief = user_model.objects.get(username="nb-chief")
    own = services.lead_file(user=chief, station=Station.objects.get(code="NB"), title="模具产业配套项目",
                             enterprise_name="宁波精工模具有限公司", total_investment=Decimal(6000) * WAN,
                             content="精密模具生产线", investor_name="钱总", investor_phone="13900001234",
                             utilities="工业用电")
    services.lead_move(lead=own, user=chief, to_stage=Stage.NEGOTIATION, note="站内自行对接洽谈")
    for later_code, _earlier_code, title, company in DUPLICATES:
        chief = user_model.objects.get(username=f"{later_code.lower()}-chief")
        services.lead_file(user=chief, station=Station.objects.get(code=later_code), title=title,
                           enterprise=Enterprise.objects.get(name=company), total_investment=Decimal(60000) * WAN)


def _advance(lead, target, *, chief, bureau, park_user, park, meeting, today):
    """Walk a lead along the pipeline to `target` the way the users would."""
    if target == Stage.FILED:
        return
    if target == Stage.ON_HOLD:
        services.lead_move(lead=lead, user=bureau, to_stage=Stage.ON_HOLD, note="企业内部调整，暂缓")
        return
    if target == Stage.REJECTED:
        services.meeting_decide(meeting=meeting, user=bureau, lead=lead, decision=MeetingDecision.REJECTED,
                                reason="房地产项目不符合招商方向")
        return
    if target == Stage.SCREENING:
        services.lead_move(lead=lead, user=bureau, to_stage=Stage.SCREENING, note="列入下次研判会")
        return
    services.meeting_decide(meeting=meeting, user=bureau, lead=lead, decision=MeetingDecision.VALID,
                            reason="符合主导产业方向", transfer_to=park, follower="经开区招商科 周科长")
    facts = {
        Stage.REVIEW: {"review_site": "经开区东区", "review_land_utilities": "净地，水电气到边",
                       "review_policy": "固定资产投资奖补", "review_leader": "分管副区长"},
        Stage.SIGNED: {"signed_on": today - datetime.timedelta(days=15),
                       "contract_amount": lead.total_investment},
        Stage.STARTED: {"started_on": today - datetime.timedelta(days=10)},
        Stage.COMPLETED: {"completed_on": today - datetime.timedelta(days=5)},
        Stage.PRODUCTION: {"production_on": today - datetime.timedelta(days=1)},
        Stage.LOST: {"lost_reason": "企业选择了外地园区", "lost_poor_service": False},
    }
    rules = services.rules_for()
    path = rules.stages()
    stop = target if target != Stage.LOST else Stage.NEGOTIATION
    for stage in path[path.index(Stage.TRANSFERRED) + 1: path.index(stop) + 1]:
        lead = services.lead_move(lead=lead, user=park_user, to_stage=stage, **facts.get(stage, {}))
    if target == Stage.LOST:
        services.lead_move(lead=lead, user=park_user, to_stage=Stage.LOST, **facts[Stage.LOST])
    if target in (Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCTION):
        services.funds_add(lead=lead, user=park_user, date=today - datetime.timedelta(days=3),
                           amount=(lead.total_investment * Decimal("0.3")).quantize(Decimal("0.01")),
                           note="首期资金到位")


def _aftercare(*, bureau, park_user, today, parks):
    """Qualified leads, the bureau's determinations, five-ones plans, return visits, output and tax."""
    from .models import ExecutiveRank

    for title, rank in (("新能源电池储能项目", ExecutiveRank.CHAIRMAN),
                        ("汽车零部件产业园", ExecutiveRank.INVESTMENT_MANAGER)):
        lead = Lead.objects.get(title=title)
        services.investor_visit_add(lead=lead, user=bureau, date=today - datetime.timedelta(days=40),
                                    executive_name=f"{lead.enterprise.name[2:4]}董事长", rank=rank,
                                    departments="发改局、自然资源局、经开区", received_by_leader=True, real_intent=True)
        services.lead_determine(lead=lead, user=bureau, introducer_unit=lead.station.units.first(),
                                introducer_person=lead.station.postings.current().chiefs().first().person.name,
                                service_unit=parks[0], service_secretary="经开区 周科长", investor_name=lead.investor_name)
        services.follow_up_plan_set(lead=lead, user=bureau, leader="分管副区长", department="区发改局",
                                    team=f"{title}专班", wechat_group=f"{title}服务群", timeline="三个月内开工，一年内投产")
    landed = Lead.objects.get(title="航空零部件制造项目")
    services.return_visit_add(lead=landed, user=park_user, date=today, note="企业生产正常，反映用工需求")
    services.outcome_set(lead=landed, user=park_user, year=today.year, output_value=Decimal(30000) * WAN,
                         tax=Decimal(1200) * WAN)


# Teams that made fewer visits than the weekly target last week.
FEW_VISITS = {"NB", "FS"}


def _weekly_visits(today):
    """Follow-up visits twice a week over the last ten weeks (the demo rules ask for two a week);
    two teams made only one last week."""
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    first = {visit.station_id: visit for visit in Visit.objects.select_related("station").order_by("date")}
    rows = []
    for station_id, visit in first.items():
        for week in range(10):
            monday = last_monday - datetime.timedelta(weeks=week)
            days = (1,) if week == 0 and visit.station.code in FEW_VISITS else (1, 3)
            rows += [Visit(station_id=station_id, enterprise_id=visit.enterprise_id, contact_id=visit.contact_id,
                           date=monday + datetime.timedelta(days=day), purpose="回访跟进项目进展",
                           outcome="了解企业投资计划调整情况", created_by=visit.created_by) for day in days]
    Visit.objects.bulk_create(rows)
