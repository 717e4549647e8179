"""Schemes are edited by administrators: parameters are checked against each rule type."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import SchemeItem, ScoringScheme
from .rules import RULE_TYPES


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0
    fields = ["position", "code", "label", "rule_type", "max_points", "params"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "subject", "total_points", "is_sketch"]
    list_filter = ["subject", "is_sketch", "version__profile"]
    list_select_related = ["version__profile"]
    inlines = [SchemeItemInline]
    readonly_fields = ["rule_types"]

    @admin.display(description=_("Rule types and their parameters"))
    def rule_types(self, obj=None):
        return format_html_join(
            "", "<p><strong>{}</strong> ({}): {}<br><code>{}</code></p>",
            ((rule.label, code, rule.description, ", ".join(param.name for param in rule.params) or "—")
             for code, rule in RULE_TYPES.items()))
