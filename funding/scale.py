"""The money of `seed_scale` (registered in FundingConfig.ready; see `stations.scale`): for every
team, last year's and this year's budget under the active profile's funding rule, the money in as
the rule pays it (an allocation, batches or monthly lump sums), about fifty paid claims a year each
with its ledger entry and one decision per step of the profile's chain, two claims waiting this
year, and last year closed (its balance returned or carried over) — about 100 ledger entries per
team. Spending stays within the budget, as `verify_ledger` expects.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from stations.models import ApprovalProcess, Outcome
from stations.permissions import chain_of
from stations.scale import World, past_timestamps

from .budgets import rule_for
from .models import (
    Budget,
    ClaimDecision,
    ClaimStatus,
    EntryKind,
    ExpenseCategory,
    ExpenseClaim,
    FundingModel,
    LedgerEntry,
    YearClose,
    YearEnd,
)

CLAIMS_PER_YEAR = 48
CENT = Decimal("0.01")
DEFAULT_BUDGET = Decimal(200_000)


def seed(world: World) -> None:
    rng, today = world.rng, world.today
    years = (world.year - 1, world.year)
    categories = list(ExpenseCategory.objects.filter(is_active=True, checked_against=""))
    finance, bureau = world.users["scale-finance"], world.users["scale-bureau"]
    rule = rule_for(world.stations[0], world.year)
    amount = (rule.annual_amount if rule and rule.annual_amount else None) or DEFAULT_BUDGET
    world.insert("budgets", Budget, (
        Budget(station=station, year=year, amount=amount) for station in world.stations for year in years))
    # Every team is of one kind here, so one chain serves them all.
    chain = [(step.position, step.actor, step.action)
             for step in chain_of(world.stations[0], ApprovalProcess.EXPENSE_CLAIM)]
    now = timezone.now()

    def money_in(station, year):
        last = datetime.date(year, 12, 31) if year < world.year else today - datetime.timedelta(days=1)
        model = rule.model if rule else FundingModel.ANNUAL
        if model == FundingModel.BATCHES:
            parts = [(datetime.date(year, month, 5), EntryKind.DISBURSEMENT) for month in (1, 4, 7, 10)]
        elif model == FundingModel.LUMP_SUM:
            parts = [(datetime.date(year, month, 1), EntryKind.LUMP_SUM) for month in range(1, 13)]
        else:
            parts = [(datetime.date(year, 1, 5), EntryKind.ALLOCATION)]
        share = (amount / len(parts)).quantize(CENT)
        for number, (day, kind) in enumerate(parts):
            # The fen that do not divide evenly go with the last part.
            part = share if number < len(parts) - 1 else amount - share * (len(parts) - 1)
            if day <= last:
                yield LedgerEntry(station=station, year=year, date=day, kind=kind, amount=part,
                                  description=f"{year}年度经费", recorded_by=finance, recorded_at=world.moment(day))

    def spending(station, year):
        last = datetime.date(year, 12, 20) if year < world.year else today - datetime.timedelta(days=1)
        days = sorted(world.day_between(datetime.date(year, 1, 10), last) for _ in range(CLAIMS_PER_YEAR))
        share = amount * Decimal("0.6") / CLAIMS_PER_YEAR
        for day in days:
            spent = (share * Decimal(rng.uniform(0.5, 1.5))).quantize(CENT)
            yield LedgerEntry(station=station, year=year, date=day, kind=EntryKind.EXPENSE, amount=-spent,
                              category=rng.choice(categories), description="差旅及接待费用", reference="",
                              recorded_by=bureau,
                              recorded_at=min(world.moment(day + datetime.timedelta(days=3)), now))

    with past_timestamps(LedgerEntry, "recorded_at"):
        world.insert("ledger: money in", LedgerEntry, (
            entry for station in world.stations for year in years for entry in money_in(station, year)))
        expenses = world.insert("ledger: expenses", LedgerEntry, (
            entry for station in world.stations for year in years for entry in spending(station, year)), keep=True)
    by_station = {station.pk: station for station in world.stations}

    def claim(entry, number):
        requester = world.postings_by_station[entry.station_id][0].person.user
        return ExpenseClaim(station=by_station[entry.station_id], year=entry.year, date=entry.date,
                            category=entry.category, amount=-entry.amount, payee=requester.username,
                            description=entry.description, status=ClaimStatus.APPROVED, requester=requester,
                            invoice_number=f"{by_station[entry.station_id].code}{entry.year}{number:06d}",
                            created_at=world.moment(entry.date), entry=entry)

    def waiting(station, number):
        requester = world.postings_by_station[station.pk][0].person.user
        day = today - datetime.timedelta(days=1 + number)
        return ExpenseClaim(station=station, year=day.year, date=day, category=rng.choice(categories),
                            amount=Decimal("860.00"), payee=requester.username, description="走访企业交通费",
                            status=ClaimStatus.PENDING, requester=requester, created_at=world.moment(day),
                            invoice_number=f"{station.code}{day.year}W{number:05d}")

    with past_timestamps(ExpenseClaim, "created_at"):
        claims = world.insert("claims paid", ExpenseClaim, (
            claim(entry, number) for number, entry in enumerate(expenses)), keep=True)
        world.insert("claims waiting", ExpenseClaim, (
            waiting(station, number) for station in world.stations for number in range(2)))
    with past_timestamps(ClaimDecision, "decided_at"):
        world.insert("claim decisions", ClaimDecision, (
            ClaimDecision(claim=item, position=position, actor=actor, action=action, outcome=Outcome.DONE,
                          decided_by=bureau, decided_at=min(item.created_at + datetime.timedelta(days=position), now))
            for item in claims for position, actor, action in chain))
    _close(world, years[0], expenses, amount, rule)


def _close(world: World, year: int, expenses, amount: Decimal, rule) -> None:
    """Close `year` for every team: the balance is returned, or carried over into the next year."""
    spent = {}
    for entry in expenses:
        if entry.year == year:
            spent[entry.station_id] = spent.get(entry.station_id, 0) + entry.amount
    finance = world.users["scale-finance"]
    carry = rule is not None and rule.year_end == YearEnd.CARRY_OVER
    closing_day = datetime.date(year, 12, 31)
    balances = {station.pk: amount + spent.get(station.pk, 0) for station in world.stations}
    with past_timestamps(LedgerEntry, "recorded_at"):
        closings = world.insert("ledger: year-end closings", LedgerEntry, (
            LedgerEntry(station_id=pk, year=year, date=closing_day, kind=EntryKind.CLOSING, amount=-balance,
                        description=f"{year}年度结余", recorded_by=finance, recorded_at=world.moment(closing_day))
            for pk, balance in balances.items() if balance > 0), keep=True)
        carried = world.insert("ledger: carried over", LedgerEntry, (
            LedgerEntry(station_id=entry.station_id, year=year + 1, date=datetime.date(year + 1, 1, 1),
                        kind=EntryKind.CARRY_OVER, amount=-entry.amount, description=f"{year}年度结转",
                        recorded_by=finance, recorded_at=world.moment(closing_day))
            for entry in closings if carry), keep=True)
    carried_for = {entry.station_id: entry for entry in carried}
    with past_timestamps(YearClose, "closed_at"):
        world.insert("year closes", YearClose, (
            YearClose(station_id=entry.station_id, year=year, balance=-entry.amount,
                      disposition=YearEnd.CARRY_OVER if carry else YearEnd.RETURN, closing=entry,
                      carried=carried_for.get(entry.station_id), closed_by=finance,
                      closed_at=world.moment(datetime.date(year + 1, 1, 8)))
            for entry in closings))
