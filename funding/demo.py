"""Demo money for `seed_demo` (registered in `FundingConfig.ready`, run after the organisation,
leads and scoring demos): the current year, January to today, under the demo profile's Xiangzhou
funding rule — 5万 a station from the treasury, released in batches by the bureau for months whose
report it accepted, the rest self-funded by the home units.

* a budget for every active team, and contributions from its home units;
* a batch for every month of the year whose monthly report the stations demo accepted (less for a
  report sent late: "by performance"); months without an accepted report get none;
* a year of claims for every team across the categories, each with its receipt, and claims in every
  state: waiting for the chief, waiting for the bureau, paid, refused with a comment (Hangzhou),
  withdrawn and filed again correctly (Suzhou); a conference fee for Kunshan's approved large event;
* Wuxi spends up to its ceiling: one claim held past the budget is let through by the leading
  group with its reason, another still waits for it, and a paid bill found above the standard
  (a reception, as in the scoring demo's finding) is reversed by the bureau.

Everything goes through the services (`funding.budgets`, `funding.ledger`, `funding.claims`) as
the users who would act, so the ledger keeps every invariant `ledger.verify` checks. Amounts come
from a fixed random seed: the same day gives the same demo. Nothing is dated after today.
"""

from __future__ import annotations

import datetime
import random
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stations.models import Event, Posting, PostingRole, RequestStatus, Station, StationUnit
from stations.models.reports import Report, ReportKind, ReportStatus

from . import budgets, claims, ledger
from .models import Budget, EntryKind, ExpenseCategory, ExpenseClaim
from .presets import categories_install

# The team that spends up to its ceiling (an override, a claim still held, a reversal).
TIGHT = "WX"
# The team whose reception bill the bureau refuses, and the one that withdraws a wrong claim.
REFUSED = "HZ"
WITHDRAWN = "SZ"

# A batch for a month whose report was accepted; less when the report came late.
BATCH, BATCH_LATE = Decimal("5000"), Decimal("4000")

# One high-speed-rail return fare home (to Xiangyang) a month, by team.
FARES = {"KS": 642, "SH": 684, "WX": 618, "FZ": 826, "SZ": 630, "NB": 758, "HZ": 702, "BJ": 964, "FS": 736,
         "GZ": 712}
# Where each team's people travel and stay overnight (a city they radiate to, or a neighbour).
TRIPS = {"KS": "上海", "SH": "南京", "WX": "南京", "FZ": "厦门", "SZ": "上海", "NB": "杭州", "HZ": "温州", "BJ": "天津",
         "FS": "广州", "GZ": "深圳"}
# The category of each month's second claim, turning through the year (offset by team).
ROTATION = ["meals", "lodging", "reception", "local_transport", "meals", "other", "lodging", "reception",
            "meals", "local_transport", "lodging", "reception"]


@dataclass
class Plan:
    """One claim of the demo: what is filed, by whom, and where it ends up."""

    date: datetime.date
    category: str
    amount: Decimal
    payee: str
    description: str
    by_chief: bool = False
    nights: int | None = None
    days: int | None = None
    city: str = ""
    event: Event | None = None
    # paid | chief (waits for the chief) | bureau (waits for the bureau) | refused | withdrawn
    outcome: str = "paid"


class Team:
    """A team with the logins that act for it."""

    def __init__(self, station: Station, postings: list[Posting]):
        self.station = station
        self.chief = next(posting.person.user for posting in postings if posting.role == PostingRole.CHIEF)
        self.staff = [posting.person.user for posting in postings if posting.role == PostingRole.STAFF]
        self.people = len(postings)

    def filer(self, plan: Plan, number: int):
        """The chief for the chief's own claims, otherwise the staff members in turn."""
        if plan.by_chief or not self.staff:
            return self.chief
        return self.staff[number % len(self.staff)]


def seed(*, admin) -> None:
    if Budget.objects.exists() or ExpenseClaim.objects.exists():
        return
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=["bureau", "finance", "leader"])}
    if len(users) < 3:
        return
    today = timezone.localdate()
    year = today.year
    created = budgets.budgets_set_all(user=users["bureau"], year=year)
    if not created:
        return  # the active profile has no funding rule: nothing to spend
    postings = Posting.objects.current().filter(station__in=[budget.station_id for budget in created]).select_related(
        "station", "person__user").order_by("station__code", "role", "pk")
    by_team: dict[str, list[Posting]] = {}
    for posting in postings:
        by_team.setdefault(posting.station.code, []).append(posting)
    teams = {code: Team(rows[0].station, rows) for code, rows in by_team.items()
             if any(row.role == PostingRole.CHIEF for row in rows)}
    categories = {category.code: category for category in categories_install().values() if category.is_active}
    rng = random.Random(2026)  # noqa: S311 — repeatable demo amounts, not secrets
    invoices = Invoices(year)
    for index, (code, team) in enumerate(sorted(teams.items())):
        _self_funding(team, users["finance"], today, rng, tight=code == TIGHT)
        _batches(team, users["bureau"], today)
        plans = _plans(team, index, today, rng)
        for number, plan in enumerate(plans):
            if plan.category in categories:
                _run(plan, team, number, categories[plan.category], users["bureau"], invoices)
    if TIGHT in teams and {"other", "office", "reception"} <= categories.keys():
        _past_the_ceiling(teams[TIGHT], users, categories, today, invoices)


# --- Money in -----------------------------------------------------------------------------------------

def _self_funding(team: Team, finance, today: datetime.date, rng: random.Random, *, tight: bool) -> None:
    """Each home unit contributes in January and, once the year is past mid-July, again for the
    second half (the team near its ceiling got one contribution only)."""
    units = [row.unit for row in StationUnit.objects.filter(station=team.station).select_related("unit")
             .order_by("unit__name")]
    halves = [datetime.date(today.year, 1, 15)]
    if not tight and today >= datetime.date(today.year, 7, 15):
        halves.append(datetime.date(today.year, 7, 15))
    for half, day in enumerate(halves):
        for number, unit in enumerate(units[:1] if tight else units):
            amount = Decimal(20000) if tight else Decimal(rng.randrange(20, 61, 5) * 1000)
            ledger.entry_record(
                user=finance, station=team.station, kind=EntryKind.SELF_FUNDING, amount=amount,
                date=min(day + datetime.timedelta(days=number), today), unit=unit,
                description=f"{unit.short_name or unit.name}{'上' if half == 0 else '下'}半年自筹工作经费",
                reference=f"ZC{today.year}{half + 1}",
            )


def _batches(team: Team, bureau, today: datetime.date) -> None:
    """A batch for every month of this year whose monthly report the bureau accepted (by the
    15th of the next month), never past the budget."""
    reports = Report.objects.filter(station=team.station, kind=ReportKind.MONTHLY, status=ReportStatus.ACCEPTED,
                                    period_start__year=today.year).order_by("period_start")
    budget = Budget.objects.get(station=team.station, year=today.year).amount
    released = Decimal(0)
    for report in reports:
        month = report.period_start
        amount = min(BATCH_LATE if report.days_late else BATCH, budget - released)
        after = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=15)
        if amount <= 0 or after.year != today.year:
            continue
        budgets.disburse(user=bureau, station=team.station, amount=amount, date=min(after, today), month=month,
                         note=f"{month:%Y年%-m月}月报已审核，拨付工作经费" + ("（月报迟报，减额拨付）" if report.days_late else ""))
        released += amount


# --- Claims ---------------------------------------------------------------------------------------------

class Invoices:
    """Invoice numbers in the shape of a fully digital e-invoice (20 digits: year, Hubei's code 42,
    the team, a sequence), unique across the demo."""

    def __init__(self, year: int):
        self.year, self.count = year, 0

    def next(self, station: Station) -> str:
        self.count += 1
        return f"{self.year % 100:02d}420000{station.pk:04d}{self.count:08d}"


def _day(today: datetime.date, month: int, day: int) -> datetime.date:
    return min(datetime.date(today.year, month, day), today)


def _plans(team: Team, index: int, today: datetime.date, rng: random.Random) -> list[Plan]:
    """The team's claims from January to today, in date order, the last one or two still open."""
    station, code = team.station, team.station.code
    city, trip = station.home_city, TRIPS.get(station.code, station.home_city)
    rent = Decimal(rng.randrange(60, 91) * 100)
    plans = [Plan(_day(today, 1, 8), "insurance", Decimal(480 * team.people), f"中国人寿保险股份有限公司{city}分公司",
                  f"驻外人员人身意外伤害保险（{team.people}人）", by_chief=True)]
    for month in range(1, today.month + 1):
        if month % 3 == 1:
            plans.append(Plan(_day(today, month, 5), "office", rent, f"{city}华府商务楼宇管理有限公司",
                              f"第{(month + 2) // 3}季度驻点办公室租金", by_chief=True))
        if month % 2 == 0:
            # One trip home a month, claimed two months at a time.
            fares = 2 * FARES.get(code, 700) + rng.randrange(-40, 41)
            plans.append(Plan(_day(today, month, rng.randrange(3, 12)), "intercity_transport", Decimal(fares),
                              "中国铁路12306", f"{month - 1}—{month}月{city}—襄阳往返高铁（每月返襄一次，共2次）",
                              by_chief=True))
        date = _day(today, month, rng.randrange(14, 27))
        kind = ROTATION[(month + index) % len(ROTATION)]
        if kind == "meals":
            days = rng.randrange(15, 23)
            plans.append(Plan(date, kind, Decimal(days * rng.randrange(60, 96)), f"{city}驻地职工食堂",
                              f"{month}月驻点伙食费（{days}天）", days=days, city=city))
        elif kind == "lodging":
            nights = rng.randrange(1, 4)
            cap = claims.standard_for(budgets.rule_for(station, today.year).version, trip)
            rate = (cap.lodging_per_night if cap else Decimal(350)) - rng.randrange(10, 80)
            plans.append(Plan(date, kind, rate * nights, f"{trip}锦江之星酒店", f"赴{trip}走访企业住宿{nights}晚",
                              nights=nights, city=trip))
        elif kind == "reception":
            plans.append(Plan(date, kind, Decimal(rng.randrange(8, 27) * 100), f"{city}味道酒楼",
                              "接待来访客商工作餐", by_chief=True))
        elif kind == "local_transport":
            plans.append(Plan(date, kind, Decimal(rng.randrange(120, 480)), "滴滴出行", f"{month}月市内走访企业交通费"))
        else:
            plans.append(Plan(date, kind, Decimal(rng.randrange(2, 10) * 100), f"{city}彩虹印务有限公司", "招商宣传资料印制"))
    event = Event.objects.filter(station=station, is_large=True, status=RequestStatus.APPROVED, approved_in_advance=True,
                                 date__year=today.year, date__lte=today).order_by("date").first()
    if event is not None:
        plans.append(Plan(event.date, "conference", Decimal(8600), f"{event.place}金陵大饭店",
                          f"{event.title}会场租赁及会务费", by_chief=True, event=event))
    plans.sort(key=lambda plan: plan.date)
    # The latest claim waits for the chief (even teams) or, approved by the chief, for the bureau.
    plans[-1].by_chief, plans[-1].outcome = False, "chief" if index % 2 == 0 else "bureau"
    if code == REFUSED:
        refused = next((plan for plan in reversed(plans[:-1]) if plan.category == "reception"), plans[-2])
        refused.amount, refused.outcome = Decimal(3800), "refused"
        refused.description = "接待客商工作餐（8人）"
    if code == WITHDRAWN:
        plans[len(plans) // 2].outcome, plans[len(plans) // 2].by_chief = "withdrawn", False
    return plans


def _run(plan: Plan, team: Team, number: int, category: ExpenseCategory, bureau, invoices: Invoices):
    """File the claim as its filer and take it as far as `plan.outcome` says."""
    filer = team.filer(plan, number)
    invoice = invoices.next(team.station)
    fields = {"user": filer, "station": team.station, "date": plan.date, "category": category,
              "payee": plan.payee, "description": plan.description, "invoice_number": invoice,
              "nights": plan.nights, "days": plan.days, "city": plan.city, "event": plan.event}
    if plan.outcome == "withdrawn":
        # Typed 10 times too much, withdrawn by its filer, filed again with the same invoice.
        wrong = claims.claim_file(amount=plan.amount * 10, receipts=[receipt(invoice, plan.amount, number)], **fields)
        claims.claim_withdraw(user=filer, claim=wrong)
    claim = claims.claim_file(amount=plan.amount, receipts=[receipt(invoice, plan.amount, number)], **fields)
    if plan.outcome == "chief":
        return claim
    if filer != team.chief:
        claim = claims.claim_decide(user=team.chief, claim=claim, approve=True, comment="情况属实，同意报销。")
    if plan.outcome == "bureau":
        return claim
    if plan.outcome == "refused":
        return claims.claim_decide(user=bureau, claim=claim, approve=False,
                                   comment="接待事由和客商名单未写明，且人均超出接待标准，请补充后按标准重新报销。")
    return claims.claim_decide(user=bureau, claim=claim, approve=True)


def _past_the_ceiling(team: Team, users, categories, today: datetime.date, invoices: Invoices) -> None:
    """The team's office equipment takes it to 1500 yuan below its ceiling; a delegation's
    reception is then held and let through by the leading group, an exhibition bill stays held,
    and the bureau reverses a bill the assessment office found above the standard."""
    station, bureau = team.station, users["bureau"]
    start = datetime.date(today.year, 1, 1)
    spent, ceiling = ledger.spend_and_ceiling(station.pk, today.year)
    room, number = ceiling - spent - Decimal(1500), 0
    while room > 0:
        amount = min(room, Decimal(12000))
        plan = Plan(max(start, today - datetime.timedelta(days=45 - number)), "office", amount,
                    f"{station.home_city}百脑汇电脑城", "购置办公设备（电脑、打印机、会议桌椅）", by_chief=True)
        _run(plan, team, number, categories["office"], bureau, invoices)
        room -= amount
        number += 1
    held = Plan(max(start, today - datetime.timedelta(days=25)), "reception", Decimal(6800), f"{station.home_city}太湖饭店",
                "接待无锡感知科技股份有限公司来襄考察团", by_chief=True)
    claim = _run(held, team, 0, categories["reception"], bureau, invoices)
    claims.claim_override(user=users["leader"], claim=claim, reason=(
        "物联网传感器产业园项目已进入评审阶段，考察接待确有必要；领导小组同意超出预算列支，下年度预算统筹考虑。"))
    waiting = Plan(max(start, today - datetime.timedelta(days=8)), "other", Decimal(4600), f"{station.home_city}会展服务有限公司",
                   "物联网博览会参展资料印制及展位搭建")
    _run(waiting, team, 1, categories["other"], bureau, invoices)
    # The scoring demo's finding: spending above the standard (a reception bill, the latest one
    # unless the year is too young to have any), ordered returned.
    paid = (ExpenseClaim.objects.filter(station=station, year=today.year, entry__over_budget=False,
                                        entry__isnull=False)
            .select_related("entry", "category").order_by("-date", "-pk"))
    paid = next((claim for claim in paid if claim.category_id == categories["reception"].pk), None) or paid.first()
    if paid is not None:
        ledger.entry_reverse(user=bureau, entry=paid.entry, reason=(
            f"区考核办检查发现该笔{paid.category.name}超标准列支，已责令退回，冲销此笔支出。"))


# --- Receipts -------------------------------------------------------------------------------------------

def receipt(invoice: str, amount: Decimal, number: int) -> SimpleUploadedFile:
    """A small, well-formed receipt for the claim: a one-page PDF naming the invoice and the
    amount, or (every other claim) a scanned-receipt stand-in PNG."""
    if number % 2:
        return SimpleUploadedFile(f"fapiao-{invoice}.png", png(), content_type="image/png")
    return SimpleUploadedFile(f"fapiao-{invoice}.pdf", pdf([f"Invoice No. {invoice}", f"Amount CNY {amount}"]),
                              content_type="application/pdf")


def png(width: int = 8, height: int = 4) -> bytes:
    """A valid grey PNG (signature, IHDR, IDAT, IEND with their CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([0xE0]) * width for _row in range(height))  # filter 0, 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF showing `lines` (ASCII) in Helvetica, with a correct cross-reference table."""
    text = " ".join(f"({line}) Tj 0 -18 Td" for line in lines)
    stream = f"BT /F1 12 Tf 24 96 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 140] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
