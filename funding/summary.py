"""The money of many teams at once, for the funding summary page and its export (经费汇总).

`summary(stations, year)` reads every given team's year in a fixed number of queries, whatever
the number of teams: the teams themselves (when given as a queryset), the ledger grouped by team,
the budgets, and the open claims grouped by team and status. Each figure is computed exactly as
`funding.ledger.execution` computes it for one team, from the same sums rounded the same way, so
a team's row equals its own page to the fen. `totals(rows)` adds the rows up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from stations.models import Station

from .ledger import EXTRA, ZERO, CeilingFigures, _fen, _sum
from .models import Budget, ClaimStatus, ExpenseClaim, LedgerEntry


@dataclass(frozen=True)
class SummaryRow(CeilingFigures):
    """One team's year (or, with `station` None, the total of several): the fields of
    `funding.ledger.Execution` without the category lines, plus the team's open claims."""

    station: Station | None
    budget: Decimal | None  # None: no budget row (for the total: none of the teams has one)
    money_in: Decimal  # every entry not booked to a category, net of reversals and adjustments
    self_funded: Decimal  # self-funding and money carried over: what the ceiling adds to the budget
    spent: Decimal
    balance: Decimal
    claims_pending: int  # claims waiting for a step of their approval chain
    claims_held: int  # claims approved but held because they would pass the ceiling


def summary(stations: QuerySet | Iterable[Station], year: int) -> list[SummaryRow]:
    """A row per team of `stations`, in their order, for budget `year`.

    Four queries for a queryset of any size (the teams, the ledger's sums by team, the budgets,
    the claims counted by team and status); three for a list of teams, already loaded. A team
    with no entries, budget or claims gets zeros (and a budget of None).
    """
    teams = list(stations)
    ids = [team.pk for team in teams]  # the teams just read, not the queryset's filter three times more
    sums = {
        row["station"]: row
        for row in LedgerEntry.objects.filter(station__in=ids, year=year).order_by().values("station").annotate(
            balance=Sum("amount"), spent=_sum(Q(category__isnull=False)), self_funded=_sum(EXTRA))
    }
    budgets = dict(Budget.objects.filter(station__in=ids, year=year).values_list("station_id", "amount"))
    claims = {
        row["station"]: row
        for row in ExpenseClaim.objects.filter(
            station__in=ids, year=year, status__in=(ClaimStatus.PENDING, ClaimStatus.HELD),
        ).order_by().values("station").annotate(
            pending=Count("pk", filter=Q(status=ClaimStatus.PENDING)),
            held=Count("pk", filter=Q(status=ClaimStatus.HELD)),
        )
    }
    rows = []
    for team in teams:
        money = sums.get(team.pk, {})
        spent = -_fen(money.get("spent", ZERO))
        balance = _fen(money.get("balance", ZERO))
        counts = claims.get(team.pk, {})
        rows.append(SummaryRow(
            station=team, budget=budgets.get(team.pk), money_in=balance + spent,
            self_funded=_fen(money.get("self_funded", ZERO)), spent=spent, balance=balance,
            claims_pending=counts.get("pending", 0), claims_held=counts.get("held", 0),
        ))
    return rows


def totals(rows: Iterable[SummaryRow]) -> SummaryRow:
    """The sum of `rows` as one row with no team. Its budget is the sum of the budgets that exist
    (None when no team has one), so its ceiling and remaining are the sums of the rows' own, and
    its share is the total spent over the total budget."""
    rows = list(rows)
    budgets = [row.budget for row in rows if row.budget is not None]
    return SummaryRow(
        station=None,
        budget=sum(budgets, ZERO) if budgets else None,
        money_in=sum((row.money_in for row in rows), ZERO),
        self_funded=sum((row.self_funded for row in rows), ZERO),
        spent=sum((row.spent for row in rows), ZERO),
        balance=sum((row.balance for row in rows), ZERO),
        claims_pending=sum(row.claims_pending for row in rows),
        claims_held=sum(row.claims_held for row in rows),
    )
