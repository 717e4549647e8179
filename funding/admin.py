"""The funding admin: categories, funding rules and travel standards are edited here (with
history); everything that records money is read-only. Entries are posted and reversed only through
`funding.ledger` and the services that call it, claims move only through `funding.claims`, and a
budget rises only through an approved increase — so the admin neither adds, changes nor deletes
ledger entries, claims, budgets, increases, closings or recoveries. Rows are scoped to the teams
whose money the user reads (`Action.FUNDS`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stations.admin import ScopedAdmin
from stations.permissions import Action, stations_for

from .models import (
    Budget,
    BudgetIncrease,
    ClaimDecision,
    ExpenseCategory,
    ExpenseClaim,
    FundingRule,
    LedgerEntry,
    Receipt,
    Recovery,
    TravelStandard,
    YearClose,
)


class ReadOnlyMixin:
    """Money is recorded by the services only: no add, change or delete here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FundsScoped(ReadOnlyMixin, ScopedAdmin):
    """A model with history, scoped to the teams whose money the user reads."""

    def scope(self, request, queryset):
        return queryset.filter(station__in=stations_for(request.user, Action.FUNDS).values("pk"))


class FundsScopedPlain(ReadOnlyMixin, admin.ModelAdmin):
    """The same for the models that are their own history (entries, closings, recoveries)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(station__in=stations_for(request.user, Action.FUNDS).values("pk"))


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "position", "checked_against", "is_active"]
    list_filter = ["is_active", "checked_against"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # entries and claims keep their category: make it inactive instead


@admin.register(FundingRule)
class FundingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["version", "team_kind", "model", "annual_amount", "first_month_amount", "monthly_amount",
                    "override_actor", "year_end"]
    list_filter = ["model", "version__profile"]
    list_select_related = ["version__profile"]


@admin.register(TravelStandard)
class TravelStandardAdmin(SimpleHistoryAdmin):
    list_display = ["version", "city", "lodging_per_night", "meals_per_day"]
    list_filter = ["version__profile"]
    list_select_related = ["version__profile"]
    search_fields = ["city"]


@admin.register(Budget)
class BudgetAdmin(FundsScoped):
    list_display = ["station", "year", "amount", "note"]
    list_filter = ["year", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station"]
    search_fields = ["station__name", "note"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(FundsScopedPlain):
    list_display = ["pk", "date", "station", "year", "kind", "amount", "category", "unit", "reverses", "over_budget",
                    "reference", "recorded_by", "recorded_at"]
    list_filter = ["kind", "year", "over_budget", ("station", admin.RelatedOnlyFieldListFilter), "category"]
    list_select_related = ["station", "category", "unit", "reverses", "recorded_by"]
    search_fields = ["description", "reason", "reference"]
    date_hierarchy = "date"


class ReceiptInline(ReadOnlyMixin, admin.TabularInline):
    model = Receipt
    fields = ["name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0


class ClaimDecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = ClaimDecision
    fields = ["position", "actor", "action", "outcome", "decided_by", "decided_at", "comment"]
    readonly_fields = fields
    extra = 0


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(FundsScoped):
    list_display = ["number", "station", "date", "category", "amount", "payee", "invoice_number", "status"]
    list_filter = ["status", "year", ("station", admin.RelatedOnlyFieldListFilter), "category"]
    list_select_related = ["station", "category"]
    search_fields = ["payee", "description", "invoice_number"]
    inlines = [ReceiptInline, ClaimDecisionInline]


@admin.register(BudgetIncrease)
class BudgetIncreaseAdmin(FundsScoped):
    list_display = ["station", "year", "amount", "status", "created_at"]
    list_filter = ["status", "year"]
    list_select_related = ["station"]


@admin.register(YearClose)
class YearCloseAdmin(FundsScopedPlain):
    list_display = ["station", "year", "balance", "disposition", "closed_by", "closed_at"]
    list_filter = ["year", "disposition"]
    list_select_related = ["station", "closed_by"]


@admin.register(Recovery)
class RecoveryAdmin(FundsScopedPlain):
    list_display = ["person", "station", "year", "funds_used", "amount", "recorded_by", "recorded_at"]
    list_select_related = ["person", "station", "recorded_by"]
