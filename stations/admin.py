"""Admin for reference data. Non-superuser staff get the same scoping as the site, through
`stations.permissions`; history is shown for every audited model; security events are read-only."""

from django.contrib import admin, messages
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Absence,
    AbsenceDecision,
    AccountabilityRecord,
    AccountabilityRule,
    ApprovalStep,
    CalendarDay,
    DispatchMeeting,
    DispatchTask,
    Event,
    EventDecision,
    Person,
    PlannedCheck,
    Posting,
    Profile,
    ProfileVersion,
    Report,
    ReportVersion,
    SecurityEvent,
    SpotCheck,
    Station,
    StationUnit,
    TeamKindRule,
    TodoItem,
    Unit,
    WorkLog,
)
from .permissions import Action, people_for, stations_for

admin.site.site_header = _("Outpost administration")
admin.site.site_title = _("Outpost")


class ScopedAdmin(SimpleHistoryAdmin):
    """Restrict non-superusers to the rows `stations.permissions` lets them see — in the change
    list, the change form and the history pages alike."""

    def scope(self, request, queryset):
        return queryset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else self.scope(request, queryset)

    def _require_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class StationUnitInline(admin.TabularInline):
    model = StationUnit
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "home_city", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "code", "home_city"]
    inlines = [StationUnitInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=stations_for(request.user, Action.VIEW).values("pk"))


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "phone", "rank", "home_unit", "user"]
    list_select_related = ["home_unit", "user"]
    search_fields = ["name", "phone"]
    autocomplete_fields = ["user", "home_unit"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=people_for(request.user).values("pk"))


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    list_display = ["person", "station", "role", "title", "start_date", "term_end", "ended_on"]
    list_filter = ["role", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "station"]
    search_fields = ["person__name", "station__name"]
    autocomplete_fields = ["person", "station", "home_unit"]

    def scope(self, request, queryset):
        return queryset.filter(station__in=stations_for(request.user, Action.VIEW).values("pk"))

    def save_model(self, request, obj, form, change):
        # The same rules as the site: permission, default title, home unit, term reminders.
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.POSTING_FIELDS}
        if change:
            services.posting_update(posting=obj, user=request.user, **fields)
        else:
            created = services.posting_create(user=request.user, **{
                name: form.cleaned_data[name] for name in services.POSTING_FIELDS if name in form.cleaned_data})
            obj.pk = created.pk


class TeamKindRuleInline(admin.TabularInline):
    model = TeamKindRule
    extra = 0


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0


class AccountabilityRuleInline(admin.TabularInline):
    model = AccountabilityRule
    extra = 0


@admin.register(ProfileVersion)
class ProfileVersionAdmin(SimpleHistoryAdmin):
    list_display = ["profile", "year", "monthly_report_due_day", "on_post_days_month", "leave_days_month"]
    list_select_related = ["profile"]
    inlines = [TeamKindRuleInline, ApprovalStepInline, AccountabilityRuleInline]


class ProfileVersionInline(admin.TabularInline):
    model = ProfileVersion
    extra = 0
    show_change_link = True


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "preset", "is_active"]
    readonly_fields = ["is_active", "copied_from"]
    inlines = [ProfileVersionInline]
    actions = ["copy_profiles", "activate_profile"]

    @admin.action(description=_("Copy the selected profiles for editing"))
    def copy_profiles(self, request, queryset):
        for profile in queryset:
            number = 1
            while Profile.objects.filter(code=f"{profile.code}-copy{number}").exists():
                number += 1
            copy = services.profile_copy(
                profile=profile,
                user=request.user,
                code=f"{profile.code}-copy{number}",
                name=f"{profile.name}（{_('copy')} {number}）",
            )
            self.message_user(request, _("Copied to %(name)s.") % {"name": copy.name}, messages.SUCCESS)

    @admin.action(description=_("Make the selected profile the active one"))
    def activate_profile(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one profile to activate."), messages.ERROR)
            return
        profile = services.profile_activate(profile=queryset.get(), user=request.user)
        self.message_user(request, _("%(name)s is now active.") % {"name": profile.name}, messages.SUCCESS)


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """The holiday calendar: administrators correct it when the State Council publishes a year."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(TodoItem)
class TodoItemAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "due_date", "done_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Station duty: records made through the site's workflows, read-only here ----------------------

class DutyRecordAdmin(ScopedAdmin):
    """Duty records change only through their services (approvals, reviews, locks), so the admin
    shows them read-only, scoped to the teams the user may see."""

    station_field = "station"

    def scope(self, request, queryset):
        return queryset.filter(**{f"{self.station_field}__in": stations_for(request.user, Action.VIEW).values("pk")})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkLog)
class WorkLogAdmin(DutyRecordAdmin):
    list_display = ["date", "person", "station", "whereabouts"]
    list_filter = ["whereabouts", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "station"]
    date_hierarchy = "date"
    search_fields = ["person__name", "activities"]


class AbsenceDecisionInline(ReadOnlyInline):
    model = AbsenceDecision


@admin.register(Absence)
class AbsenceAdmin(DutyRecordAdmin):
    list_display = ["person", "station", "kind", "start_date", "end_date", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["person", "station"]
    date_hierarchy = "start_date"
    inlines = [AbsenceDecisionInline]


@admin.register(SpotCheck)
class SpotCheckAdmin(DutyRecordAdmin):
    list_display = ["date", "person", "station", "method", "result", "contradicts_log"]
    list_filter = ["result", "method", "contradicts_log"]
    list_select_related = ["person", "station"]
    date_hierarchy = "date"


@admin.register(PlannedCheck)
class PlannedCheckAdmin(DutyRecordAdmin):
    list_display = ["month", "person", "station", "drawn", "check_done"]
    list_select_related = ["person", "station", "check_done"]


class EventDecisionInline(ReadOnlyInline):
    model = EventDecision


@admin.register(Event)
class EventAdmin(DutyRecordAdmin):
    list_display = ["date", "title", "station", "role", "invited_enterprises", "is_large", "status"]
    list_filter = ["role", "is_large", "status", "city_required"]
    list_select_related = ["station"]
    date_hierarchy = "date"
    inlines = [EventDecisionInline]


class ReportVersionInline(ReadOnlyInline):
    model = ReportVersion
    fields = ["number", "submitted_by", "submitted_at", "late"]


@admin.register(Report)
class ReportAdmin(DutyRecordAdmin):
    list_display = ["station", "kind", "period_start", "due_date", "status", "days_late"]
    list_filter = ["kind", "status"]
    list_select_related = ["station"]
    date_hierarchy = "period_start"
    inlines = [ReportVersionInline]


class DispatchTaskInline(ReadOnlyInline):
    model = DispatchTask


@admin.register(DispatchMeeting)
class DispatchMeetingAdmin(DutyRecordAdmin):
    list_display = ["month", "held_on", "place"]
    inlines = [DispatchTaskInline]

    def scope(self, request, queryset):
        return queryset if stations_for(request.user, Action.REVIEW).exists() else queryset.none()


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(DutyRecordAdmin):
    list_display = ["decided_on", "person", "station", "kind", "office"]
    list_filter = ["kind", "office"]
    list_select_related = ["person", "station"]
    date_hierarchy = "decided_on"
