"""Posting to the ledger and reading it: the only place that writes `LedgerEntry` rows.

Who may post by hand (one rule, here): the bureau and finance keep the ledger — users in the
`bureau` or `finance` role group, and administrators — and nobody posts to a team they are
themselves posted to (a bureau user running the Shanghai station does not record its money).
Team users' expenses reach the ledger through approved claims (`funding.claims`), batches and
lump sums through `funding.budgets` (which applies their rules, then `payout_record`), the year's
end through `funding.yearend`; each of those checks its own actor and posts with `post`.

Amounts come in as `Decimal`, `int` or text and are checked before anything is written: a finite
number, at most two decimal places (fen), below 1000亿元; money in and expenses are given as
positive amounts (an expense is stored negative), an adjustment is signed. A team's spending may
not pass its ceiling — the year's budget plus what its home units self-funded and what was carried
over — except by a claim's recorded override; reversals are always allowed, since a correction must
be possible. Self-funding comes from one of the team's own units, and only where the funding rule
says its home units self-fund. Nothing is posted to a closed year.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Station, Unit
from stations.permissions import Role, has_role, own_station_ids

from .models import AMOUNT_LIMIT, MONEY_IN, Budget, EntryKind, ExpenseCategory, LedgerEntry, YearClose

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RECORDING_ROLES = (Role.BUREAU, Role.FINANCE)


def _fen(value: Decimal) -> Decimal:
    """An aggregate to the fen: SQLite sums decimals as binary floats (7000.0100000000 and the like);
    PostgreSQL's numeric sums are exact and unchanged by this."""
    return value.quantize(CENT)


def _sum(condition=None, field="amount"):
    """SUM(field) over the rows matching `condition`, 0.00 when there are none."""
    return Coalesce(Sum(field, filter=condition), Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2)))


# --- Who may post ---------------------------------------------------------------------------------

def _recording_refusal(user, station_id: int) -> str | None:
    if not any(has_role(user, role) for role in RECORDING_ROLES):  # has_role is True for a superuser
        return _("Only the bureau or finance may record ledger entries.")
    if station_id in own_station_ids(user):
        return _("Nobody records ledger entries for a team they are posted to.")
    return None


def is_keeper(user) -> bool:
    """Whether `user` keeps ledgers at all (the bureau, finance, administrators)."""
    return any(has_role(user, role) for role in RECORDING_ROLES)


def may_record(user, station_id: int) -> bool:
    """The bureau, finance or an administrator, for a team they are not posted to (for pages)."""
    return _recording_refusal(user, station_id) is None


def _require_recorder(user, station_id: int) -> None:
    refusal = _recording_refusal(user, station_id)
    if refusal:
        raise PermissionDenied(refusal)


# --- Amounts --------------------------------------------------------------------------------------

# A Chinese keyboard's full-width digits and signs, and nothing else (NFKC would also read 10² as 102).
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＋－\u3000", "0123456789,.+- ")
GROUPED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def clean_amount(value) -> Decimal:
    """`value` as a Decimal of fen precision, or a `ValidationError` saying what is wrong with it.

    Text and integers are accepted (forms, imports); text as people type it: full-width digits
    (a Chinese keyboard's １８００) and thousands grouped by commas (1,800.50), but not a comma
    elsewhere (1,80 is refused, not guessed). A float is a programming error — money is never
    binary floating point — and raises `TypeError`.
    """
    if isinstance(value, (bool, float)) or not isinstance(value, (Decimal, int, str)):
        raise TypeError(f"amounts are Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, str):
        value = value.translate(FULL_WIDTH).strip()
        if GROUPED_THOUSANDS.fullmatch(value):
            value = value.replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({"amount": _("Enter the amount as a number, such as 1200.50.")})
    if abs(number) >= AMOUNT_LIMIT:
        raise ValidationError({"amount": _("The amount must be less than %(limit)s yuan.")
                               % {"limit": f"{AMOUNT_LIMIT:,}"}})
    if number != number.quantize(CENT):
        raise ValidationError({"amount": _("The amount can have at most two decimal places.")})
    return number.quantize(CENT)


# --- Ceiling --------------------------------------------------------------------------------------

def spend_ceiling(budget: Decimal | None, extra: Decimal) -> Decimal:
    """What a team may spend in a year: its budget plus `extra`, what its home units self-funded
    and what was carried over from the year before.

    Allocations, disbursements and lump sums pay the budget out, so they do not raise the ceiling;
    self-funding (Xiangzhou: the rest beyond the treasury's 5万) comes on top. No budget row = 0.
    """
    return (budget or ZERO) + extra


# Money that raises the ceiling: self-funding (net of its reversals) and the carry-over.
EXTRA = Q(unit__isnull=False) | Q(kind=EntryKind.CARRY_OVER)


def spend_and_ceiling(station_id: int, year: int) -> tuple[Decimal, Decimal]:
    """The team-year's spending so far and its ceiling (two queries). Callers that act on the
    answer hold the team's row (`lock_team`) first."""
    totals = LedgerEntry.objects.filter(station_id=station_id, year=year).aggregate(
        spent=_sum(Q(category__isnull=False)), extra=_sum(EXTRA)
    )
    budget = Budget.objects.filter(station_id=station_id, year=year).values_list("amount", flat=True).first()
    return -_fen(totals["spent"]), spend_ceiling(budget, _fen(totals["extra"]))


def lock_team(station_id: int) -> None:
    """Hold the team's row until the transaction ends: every write to the team's money takes this
    lock before it checks that the year is open (so the year cannot close in between: `yearend`
    holds it too) or reads the spending (so two approvals cannot both pass the ceiling) — always
    first, then the claim or the entry, so that they cannot deadlock."""
    Station.objects.select_for_update().filter(pk=station_id).values_list("pk", flat=True).first()


def require_open_year(station_id: int, year: int) -> None:
    if YearClose.objects.filter(station_id=station_id, year=year).exists():
        raise ValidationError(_("%(year)s is closed for this team: nothing more is posted to it.") % {"year": year})


# --- Writing --------------------------------------------------------------------------------------

# Money the bureau pays a team by a button that applies the rule: a batch (`budgets.disburse`:
# the month's accepted report, never past the budget) or a lump sum (`budgets.lump_sum_pay`: the
# rule's amount, once a month). Never recorded by hand.
PAYOUTS = (EntryKind.DISBURSEMENT, EntryKind.LUMP_SUM)


@transaction.atomic
def entry_record(*, user, station: Station, kind: str, amount, date: datetime.date, year: int | None = None,
                 category: ExpenseCategory | None = None, unit=None, description: str = "", reason: str = "",
                 reference: str = "", token: uuid.UUID | None = None) -> LedgerEntry:
    """Record one movement of `station`'s money in budget `year` (by default the year of `date`).

    `amount` is positive for money in and for an expense (stored negative), and signed for an
    adjustment. An expense needs an active category; self-funding names one of the team's own
    units (`team_units`) and needs a funding rule whose home units self-fund; an adjustment needs
    a reason. Reversals are made by `entry_reverse`, batches and lump sums by their buttons
    (`funding.budgets`), never here. A second call with the same form `token` returns the entry
    the first one recorded. Raises `PermissionDenied` (see the module docstring) or
    `ValidationError` with a message per field.
    """
    _require_recorder(user, station.pk)
    if kind == EntryKind.DISBURSEMENT:
        raise ValidationError({"kind": _("Release a batch with the batch button: it checks the month's report "
                                         "and the budget.")})
    if kind == EntryKind.LUMP_SUM:
        raise ValidationError({"kind": _("Pay a lump sum with the lump-sum button: it pays the rule's amount once "
                                         "a month.")})
    return _record(user=user, station=station, kind=kind, amount=amount, date=date, year=year, category=category,
                   unit=unit, description=description, reason=reason, reference=reference, token=token)


def payout_record(*, user, station: Station, kind: str, amount, date: datetime.date, description: str = "",
                  reference: str = "", token: uuid.UUID | None = None) -> LedgerEntry:
    """Record a batch or a lump sum (`PAYOUTS`) with every check of `entry_record`: for
    `funding.budgets`, which has applied the batch or lump-sum rules first. The caller is atomic."""
    if kind not in PAYOUTS:
        raise ValueError(f"{kind} is not a batch or a lump sum")
    _require_recorder(user, station.pk)
    return _record(user=user, station=station, kind=kind, amount=amount, date=date, description=description,
                   reference=reference, token=token)


def team_units(station: Station) -> QuerySet[Unit]:
    """The team's own units: those that form or lead it (`StationUnit`), and the home units of
    the people posted to it. Only these self-fund the team."""
    return Unit.objects.filter(
        Q(station_units__station=station) | Q(postings__station=station) | Q(people__postings__station=station)
    ).distinct()


def _self_funding_refusal(station: Station, year: int, unit) -> str | None:
    from .budgets import rule_for  # `budgets` imports this module

    rule = rule_for(station, year)
    if rule is None or not rule.self_funded:
        return _("Under the funding rule, home units do not self-fund %(team)s in %(year)s.") % {
            "team": station, "year": year}
    if not team_units(station).filter(pk=unit.pk).exists():
        return _("%(unit)s is not one of %(team)s's units: only a unit that forms or leads the team, or the "
                 "home unit of someone posted to it, self-funds it.") % {"unit": unit, "team": station}
    return None


def _record(*, user, station: Station, kind: str, amount, date: datetime.date, year: int | None = None,
            category: ExpenseCategory | None = None, unit=None, description: str = "", reason: str = "",
            reference: str = "", token: uuid.UUID | None = None) -> LedgerEntry:
    """`entry_record` and `payout_record` once the kind is one they take: check and post, the
    team's row held from the open-year check to the write (the year cannot close in between)."""
    errors: dict[str, str] = {}
    if kind == EntryKind.REVERSAL:
        raise ValidationError({"kind": _("A reversal is made by reversing an entry.")})
    if kind not in EntryKind.values:
        raise ValidationError({"kind": _("Choose a kind of entry.")})
    if kind in (EntryKind.CLOSING, EntryKind.CARRY_OVER):
        # A carry-over by hand would raise the ceiling with no closed year behind it.
        raise ValidationError({"kind": _("Year-end entries are made by closing the year.")})
    kind = EntryKind(kind)
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise TypeError("date must be a datetime.date")
    # The team's row first (the lock order of every path that posts): the open-year check, the
    # ceiling and a repeated form token are read under it.
    lock_team(station.pk)
    if token is not None:
        existing = LedgerEntry.objects.filter(token=token, station=station).first()
        if existing is not None:
            return existing
    year = date.year if year is None else year
    if date.year != year:
        errors["date"] = _("The date must fall within %(year)s.") % {"year": year}
    elif date > timezone.localdate():
        errors["date"] = _("The date cannot be in the future.")

    signed = None
    try:
        number = clean_amount(amount)
    except ValidationError as error:
        errors["amount"] = error.message_dict["amount"][0]
    else:
        if kind == EntryKind.ADJUSTMENT:
            if number == 0:
                errors["amount"] = _("An adjustment cannot be zero.")
            signed = number
        elif number <= 0:
            errors["amount"] = _("The amount must be more than zero.")
        else:
            signed = -number if kind == EntryKind.EXPENSE else number

    if kind == EntryKind.EXPENSE and category is None:
        errors["category"] = _("Choose the expense category.")
    elif category is not None and kind in MONEY_IN:
        errors["category"] = _("Only expenses and adjustments take a category.")
    elif category is not None and not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if kind == EntryKind.SELF_FUNDING and unit is None:
        errors["unit"] = _("Name the home unit that contributed the money.")
    elif kind == EntryKind.SELF_FUNDING:
        refusal = _self_funding_refusal(station, year, unit)
        if refusal:
            errors["unit"] = refusal
    elif unit is not None:
        errors["unit"] = _("Only self-funding names a contributing unit.")
    reason = (reason or "").strip()
    if kind == EntryKind.ADJUSTMENT and not reason:
        errors["reason"] = _("Give the reason for the adjustment.")
    if errors:
        raise ValidationError(errors)

    require_open_year(station.pk, year)
    if category is not None and signed < 0:
        # Spending goes up: the team's row, held above, keeps two postings from both passing the ceiling.
        spent, ceiling = spend_and_ceiling(station.pk, year)
        if spent - signed > ceiling:
            raise ValidationError({"amount": past_ceiling_message(station, year, spent - signed, ceiling)})
    return post(user=user, station=station, year=year, date=date, kind=kind, amount=signed, category=category,
                unit=unit, description=description, reason=reason, reference=reference, token=token)


def past_ceiling_message(station, year: int, spent: Decimal, ceiling: Decimal) -> str:
    return _(
        "This would take %(team)s's spending in %(year)s to %(spent)s yuan, past the %(ceiling)s yuan "
        "that its budget, self-funding and carry-over allow."
    ) % {"team": station, "year": year, "spent": spent, "ceiling": ceiling}


def post(*, user, station: Station, year: int, date: datetime.date, kind: str, amount: Decimal,
         category: ExpenseCategory | None = None, unit=None, description: str = "", reason: str = "",
         reference: str = "", over_budget: bool = False, token: uuid.UUID | None = None) -> LedgerEntry:
    """Write one entry with a signed, checked `amount`, for the services that have already decided
    that `user` may (claims, batches, lump sums, year end): no permission or ceiling check here,
    only the model's and the database's."""
    entry = LedgerEntry(
        station=station, year=year, date=date, kind=kind, amount=amount, category=category, unit=unit,
        description=(description or "").strip()[:300], reason=(reason or "").strip(),
        reference=(reference or "").strip(), over_budget=over_budget, recorded_by=user, token=token,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def entry_reverse(*, user, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel `entry` with its exact negative, dated today, in the entry's own budget year.

    The team's row is locked first (the year cannot close while the reversal is made), then the
    original, so two people cannot reverse it at once. A reversal cannot be reversed (record an
    adjustment), and an entry is reversed at most once.
    """
    _require_recorder(user, entry.station_id)  # an entry's team never changes
    lock_team(entry.station_id)
    original = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    require_open_year(original.station_id, original.year)
    if original.kind in (EntryKind.CLOSING, EntryKind.CARRY_OVER):
        raise ValidationError(_("Year-end entries are not reversed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the reversal.")})
    if original.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed; record an adjustment instead."))
    if LedgerEntry.objects.filter(reverses=original).exists():
        raise ValidationError(_("This entry has already been reversed."))
    reversal = LedgerEntry(
        station_id=original.station_id, year=original.year, date=timezone.localdate(), kind=EntryKind.REVERSAL,
        amount=-original.amount, category_id=original.category_id, unit_id=original.unit_id, reverses=original,
        description=original.description, reason=reason, reference=original.reference, recorded_by=user,
    )
    reversal.full_clean()
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        if LedgerEntry.objects.filter(reverses=original).exists():
            raise ValidationError(_("This entry has already been reversed.")) from None
        raise
    return reversal


# --- Reading --------------------------------------------------------------------------------------

def total(station: Station, year: int, *, kind: str) -> Decimal:
    """What entries of `kind` add up to in the team-year, net of their reversals (one query)."""
    condition = Q(kind=kind) | Q(kind=EntryKind.REVERSAL, reverses__kind=kind)
    return _fen(LedgerEntry.objects.of(station, year).aggregate(total=_sum(condition))["total"])


def balance(station: Station, year: int) -> Decimal:
    """The team's balance for the year: the sum of its entries (one query)."""
    return _fen(LedgerEntry.objects.of(station, year).aggregate(total=_sum())["total"])


class Balances(dict):
    """Balances by team id; a team without entries has a balance of zero."""

    def __missing__(self, key):
        return ZERO


def balances(stations, year: int) -> Balances:
    """Every given team's balance for the year, by team id, in one query (`stations` may be a
    queryset, used as a subquery, or a list of teams)."""
    ids = stations.values("pk") if isinstance(stations, QuerySet) else [station.pk for station in stations]
    rows = (LedgerEntry.objects.filter(station__in=ids, year=year).order_by()
            .values("station").annotate(total=Sum("amount")))
    return Balances((row["station"], _fen(row["total"])) for row in rows)


@dataclass(frozen=True)
class ExecutionLine:
    category: ExpenseCategory
    spent: Decimal
    share: Decimal | None  # per cent of the budget, one decimal; None without a budget


class CeilingFigures:
    """What follows from a year's budget, self-funding (with carry-over) and spending: the
    ceiling, what remains under it and the share of the budget spent (for `Execution` and the
    summary's rows, so that a team's page and the summary compute them alike)."""

    @property
    def ceiling(self) -> Decimal:
        return spend_ceiling(self.budget, self.self_funded)

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.spent

    @property
    def share(self) -> Decimal | None:
        """Per cent of the budget spent, one decimal; None without a budget."""
        return _share(self.spent, self.budget)


@dataclass(frozen=True)
class Execution(CeilingFigures):
    """A team's year: money in, spending by category against the budget, balance and ceiling."""

    budget: Decimal | None
    money_in: Decimal  # every entry not booked to a category, net of reversals and adjustments
    self_funded: Decimal  # self-funding and money carried over: what the ceiling adds to the budget
    spent: Decimal
    balance: Decimal
    lines: tuple[ExecutionLine, ...]


def _share(spent: Decimal, budget: Decimal | None) -> Decimal | None:
    """Per cent of `budget`, to one decimal, rounded half up (四舍五入: 12.25 % shows as 12.3)."""
    if not budget:
        return None
    return (spent * 100 / budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def execution(station: Station, year: int) -> Execution:
    """Spending by category against the budget (three queries: categories with their spending,
    the team-year's totals, the budget). Inactive categories appear only if something was spent."""
    # The team-year's spending per category is summed where the (station, year) index finds its
    # entries; a sum filtered inside the join would read every team's entries.
    spent_by = Subquery(LedgerEntry.objects.of(station, year).filter(category=OuterRef("pk")).order_by()
                        .values("category").annotate(total=Sum("amount")).values("total"))
    categories = ExpenseCategory.objects.annotate(total=Coalesce(spent_by, Value(
        ZERO, output_field=DecimalField(max_digits=14, decimal_places=2)))).order_by("position", "pk")
    totals = LedgerEntry.objects.of(station, year).aggregate(
        balance=_sum(), spent=_sum(Q(category__isnull=False)), self_funded=_sum(EXTRA)
    )
    budget = Budget.objects.filter(station=station, year=year).values_list("amount", flat=True).first()
    lines = []
    for category in categories:
        spent_in = -_fen(category.total)
        if category.is_active or spent_in:
            lines.append(ExecutionLine(category=category, spent=spent_in, share=_share(spent_in, budget)))
    spent, total = -_fen(totals["spent"]), _fen(totals["balance"])
    return Execution(budget=budget, money_in=total + spent, self_funded=_fen(totals["self_funded"]),
                     spent=spent, balance=total, lines=tuple(lines))


def running_balance(entries, opening: Decimal = ZERO) -> list[tuple[LedgerEntry, Decimal]]:
    """Each entry with the balance after it, for a ledger page (`entries` in ledger order)."""
    rows, running = [], opening
    for entry in entries:
        running += entry.amount
        rows.append((entry, running))
    return rows


# --- Verification ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    breaches: tuple[str, ...]
    entries: int
    teams: int


def verify() -> Verification:
    """Check every invariant of the whole ledger (for `manage.py verify_ledger`):

    1. a reversal is the exact negative of the entry it names — same team, year, category and
       unit — and that entry is not itself a reversal;
    2. no entry is reversed twice (the database forbids it; checked all the same);
    3. every row keeps the model's CHECK constraints (signs by kind, categories, units, reasons);
    4. each team-year's balance as the database sums it equals the sum of its entries' Decimals;
    5. no team-year spent past its ceiling (budget + self-funding + carry-over), leaving out the
       expenses that passed it by a claim's recorded override (and are not reversed); every other
       overspend is a breach.
    """
    breaches = []
    reversals = LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).order_by("pk").values(
        "pk", "amount", "station_id", "year", "category_id", "unit_id", "reverses_id", "reverses__kind",
        "reverses__amount", "reverses__station_id", "reverses__year", "reverses__category_id", "reverses__unit_id",
    )
    for row in reversals.iterator():
        if row["reverses_id"] is None:
            breaches.append(f"entry #{row['pk']}: a reversal that names no entry")
            continue
        if row["reverses__kind"] == EntryKind.REVERSAL:
            breaches.append(f"entry #{row['pk']}: reverses #{row['reverses_id']}, which is itself a reversal")
        if row["amount"] != -row["reverses__amount"]:
            breaches.append(f"entry #{row['pk']}: reverses #{row['reverses_id']} of {row['reverses__amount']} "
                            f"with {row['amount']} instead of {-row['reverses__amount']}")
        for field in ("station_id", "year", "category_id", "unit_id"):
            if row[field] != row[f"reverses__{field}"]:
                breaches.append(f"entry #{row['pk']}: reverses #{row['reverses_id']} with a different "
                                f"{field.removesuffix('_id')} ({row[field]} instead of {row[f'reverses__{field}']})")

    twice = (LedgerEntry.objects.filter(reverses__isnull=False).order_by().values("reverses")
             .annotate(times=Count("pk")).filter(times__gt=1))
    for row in twice:
        breaches.append(f"entry #{row['reverses']}: reversed {row['times']} times")

    for constraint in LedgerEntry._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        for pk, kind, amount in LedgerEntry.objects.exclude(constraint.condition).order_by("pk").values_list(
                "pk", "kind", "amount"):
            breaches.append(f"entry #{pk} ({kind}, {amount}): breaks {constraint.name} — "
                            f"{constraint.violation_error_message}")

    python_sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    entries = 0
    for station_id, year, amount in LedgerEntry.objects.order_by().values_list(
            "station_id", "year", "amount").iterator():
        python_sums[(station_id, year)] += amount
        entries += 1
    groups = (LedgerEntry.objects.order_by().values("station", "year")
              .annotate(total=Sum("amount"), spent=_sum(Q(category__isnull=False)), self_funded=_sum(EXTRA)))
    # Expenses that passed the ceiling by a claim's override and still stand (not reversed).
    overrides = (LedgerEntry.objects.filter(over_budget=True)
                 .exclude(pk__in=LedgerEntry.objects.filter(reverses__isnull=False).values("reverses"))
                 .order_by().values("station", "year").annotate(total=Sum("amount")))
    overridden = {(row["station"], row["year"]): _fen(row["total"]) for row in overrides}
    budgets = {(station_id, year): amount
               for station_id, year, amount in Budget.objects.values_list("station_id", "year", "amount")}
    names = dict(Station.objects.filter(pk__in={key[0] for key in python_sums}).values_list("pk", "name"))
    seen = set()
    for row in groups.order_by("station_id", "year"):
        key = (row["station"], row["year"])
        seen.add(key)
        team = f"{names.get(key[0], key[0])} {key[1]}"
        if _fen(row["total"]) != python_sums.get(key):
            breaches.append(f"{team}: the database sums the entries to {_fen(row['total'])}, "
                            f"their amounts add up to {python_sums.get(key)}")
        spent, self_funded = -_fen(row["spent"]), _fen(row["self_funded"])
        ceiling = spend_ceiling(budgets.get(key), self_funded)
        without_override = spent + overridden.get(key, ZERO)
        if without_override > ceiling:
            breaches.append(f"{team}: spent {without_override} without an override, past the "
                            f"ceiling of {ceiling} (budget {budgets.get(key, ZERO)} + self-funding and "
                            f"carry-over {self_funded})")
    for key in python_sums.keys() - seen:
        breaches.append(f"{names.get(key[0], key[0])} {key[1]}: entries the database does not sum")
    return Verification(breaches=tuple(breaches), entries=entries, teams=len({key[0] for key in python_sums}))
