"""Admin for the leads app: reference data (industries, tags, lead rules) for administrators;
leads and their records with the same scoping as the site for any other staff user."""

from django.contrib import admin

from stations.admin import ScopedAdmin
from stations.permissions import Action, stations_for

from .access import leads_for
from .models import (
    Contact,
    Enterprise,
    FollowUpPlan,
    FundsEntry,
    Industry,
    InvestorVisit,
    Lead,
    LeadOutcome,
    LeadRules,
    ReturnVisit,
    ScreeningMeeting,
    StageChange,
    Tag,
    Visit,
)


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "parent"]
    list_filter = ["sector"]
    search_fields = ["code", "name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(LeadRules)
class LeadRulesAdmin(ScopedAdmin):
    list_display = ["version", "team_may_negotiate", "scale_threshold", "major_threshold"]
    list_select_related = ["version__profile"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "credit_code", "kind", "city", "industry"]
    list_filter = ["kind"]
    list_select_related = ["industry"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["normalised_name"]

    def scope(self, request, queryset):
        from .selectors import enterprises_for

        return queryset.filter(pk__in=enterprises_for(request.user).values("pk"))


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "at", "by", "note", "evidence"]

    def has_add_permission(self, request, obj=None):
        return False


class FundsInline(admin.TabularInline):
    model = FundsEntry
    extra = 0
    can_delete = False
    readonly_fields = ["date", "amount", "currency", "amount_cny", "evidence", "note", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(ScopedAdmin):
    """Leads are read here; every change goes through the site, whose services enforce the stages."""

    list_display = ["title", "station", "stage", "total_investment", "duplicate_status", "filed_at"]
    list_filter = ["stage", "duplicate_status", "source", "category", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station"]
    search_fields = ["title", "enterprise__name"]
    inlines = [StageChangeInline, FundsInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=leads_for(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StationScopedAdmin(ScopedAdmin):
    def scope(self, request, queryset):
        return queryset.filter(station__in=stations_for(request.user, Action.VIEW).values("pk"))


@admin.register(Contact)
class ContactAdmin(StationScopedAdmin):
    list_display = ["name", "enterprise", "title", "phone", "station"]
    list_select_related = ["enterprise", "station"]
    search_fields = ["name", "enterprise__name", "phone"]


@admin.register(Visit)
class VisitAdmin(StationScopedAdmin):
    list_display = ["date", "station", "enterprise", "purpose"]
    list_select_related = ["enterprise", "station"]
    date_hierarchy = "date"


class LeadScopedAdmin(ScopedAdmin):
    list_select_related = ["lead"]

    def scope(self, request, queryset):
        return queryset.filter(lead__in=leads_for(request.user).values("pk"))


@admin.register(InvestorVisit)
class InvestorVisitAdmin(LeadScopedAdmin):
    list_display = ["date", "lead", "executive_name", "rank", "qualifies"]


@admin.register(FundsEntry)
class FundsEntryAdmin(LeadScopedAdmin):
    """Funds in place are append-only: read here, recorded in the site."""

    list_display = ["date", "lead", "amount_cny", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LeadOutcome)
class LeadOutcomeAdmin(LeadScopedAdmin):
    list_display = ["lead", "year", "output_value", "tax"]


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(LeadScopedAdmin):
    list_display = ["lead", "leader", "department", "team"]


@admin.register(ReturnVisit)
class ReturnVisitAdmin(LeadScopedAdmin):
    list_display = ["date", "lead", "by"]


@admin.register(ScreeningMeeting)
class ScreeningMeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "held_by", "note"]
    list_select_related = ["held_by"]

    def get_queryset(self, request):
        from stations.permissions import Role, has_role

        queryset = super().get_queryset(request)
        return queryset if has_role(request.user, Role.BUREAU) else queryset.none()
