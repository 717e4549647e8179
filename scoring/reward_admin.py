"""Reward rules are edited by administrators (the tiers are checked); rewards, their steps and
settlements are read here and changed only on the site, through `scoring.rewards`."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .reward_models import IntroducerSettlement, Reward, RewardRules, RewardStep


@admin.register(RewardRules)
class RewardRulesAdmin(SimpleHistoryAdmin):
    list_display = ["version", "first_provider_trigger", "minimum_project", "foreign_rate", "introducer_rate"]
    list_select_related = ["version__profile"]
    list_filter = ["version__profile"]
    readonly_fields = ["tiers_read"]

    @admin.display(description=_("Tiers as read"))
    def tiers_read(self, obj=None):
        if obj is None or not obj.first_provider_tiers:
            return "—"
        return "；".join(f"{label} → {amount}元" for label, amount in obj.tier_labels())


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RewardStepInline(ReadOnlyInline):
    model = RewardStep
    fields = ["status", "by", "at", "comment", "amount_to_recover"]
    readonly_fields = fields


class SettlementInline(ReadOnlyInline):
    model = IntroducerSettlement
    fields = ["already_settled", "suggested", "gross", "expenses", "expenses_entered_by", "brought_forward", "offset",
              "carried", "net", "decided_by", "decision_reason"]
    readonly_fields = fields


@admin.register(Reward)
class RewardAdmin(SimpleHistoryAdmin):
    """Read-only: rewards are computed, proposed and moved on the site; never deleted."""

    list_display = ["year", "kind", "recipient_name", "amount", "status"]
    list_filter = ["year", "kind", "status"]
    list_select_related = ["lead"]
    search_fields = ["recipient_name", "lead__title"]
    inlines = [SettlementInline, RewardStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
