"""Schemes are edited by administrators: parameters are checked against each rule type."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from stations.permissions import Action, stations_for, user_can

from . import access
from .models import Evaluation, EvaluationLine, Finding, SchemeItem, SchemeSubject, ScoringScheme
from .rules import RULE_TYPES


class LockedInlineMixin:
    """No change to the items or subjects of a scheme a final result used."""

    def has_add_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_delete_permission(request, obj)


class SchemeItemInline(LockedInlineMixin, admin.TabularInline):
    model = SchemeItem
    extra = 0
    fields = ["position", "code", "label", "rule_type", "max_points", "params"]


class SchemeSubjectInline(LockedInlineMixin, admin.TabularInline):
    """The cadres (with their rank class) or units (with their group and head count) scored."""

    model = SchemeSubject
    extra = 0
    fields = ["person", "unit", "group", "heads"]
    autocomplete_fields = ["person", "unit"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "subject", "total_points", "is_sketch"]
    list_filter = ["subject", "is_sketch", "version__profile"]
    list_select_related = ["version__profile"]
    inlines = [SchemeItemInline, SchemeSubjectInline]
    readonly_fields = ["rule_types"]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_change_permission(request, obj)

    @admin.display(description=_("Rule types and their parameters"))
    def rule_types(self, obj=None):
        return format_html_join(
            "", "<p><strong>{}</strong> ({}): {}<br><code>{}</code></p>",
            ((rule.label, code, rule.description, ", ".join(param.name for param in rule.params) or "—")
             for code, rule in RULE_TYPES.items()))


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    """Findings for administrators: the assessing offices record and read them on the site's own
    pages (`scoring:finding_list`, `finding_create`, `finding_detail`), where the rules of
    `scoring.findings` apply; here non-superusers see the teams they may review."""

    list_display = ["date", "kind", "station", "person", "withdrawn_at"]
    list_filter = ["kind"]
    list_select_related = ["station", "person"]
    autocomplete_fields = ["station", "person"]
    # Withdrawing goes through the site's own form (`scoring.findings.finding_withdraw`); a
    # withdrawn finding is closed: read-only here, and no revert to a version before it.
    readonly_fields = ["recorded_by", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(station__in=stations_for(request.user, Action.REVIEW))

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.is_withdrawn) and super().has_change_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        return True

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not user_can(request.user, Action.REVIEW, obj.station):
            raise PermissionDenied
        if change:
            # The history view saves a whole older version, withdrawal fields included, whatever
            # the form shows: a change may neither reopen a withdrawn finding nor withdraw one.
            stored = Finding.objects.get(pk=obj.pk)
            if stored.is_withdrawn or (obj.withdrawn_at, obj.withdrawn_by_id, obj.withdrawal_reason) != (
                    stored.withdrawn_at, stored.withdrawn_by_id, stored.withdrawal_reason):
                raise PermissionDenied
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class EvaluationLineInline(admin.TabularInline):
    model = EvaluationLine
    extra = 0
    can_delete = False
    fields = ["item", "value", "points", "explanation", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Read-only: evaluations are computed, and judged on the site."""

    list_display = ["subject", "scheme", "period_start", "period_end", "total"]
    list_select_related = ["scheme", "person", "station", "unit"]
    inlines = [EvaluationLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=access.evaluations_for(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from . import reward_admin  # noqa: E402,F401  (rewards: rules edited, rewards read-only)
