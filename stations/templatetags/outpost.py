"""Template filters for money (amounts are stored in 元 and shown in 万元 or 亿元), and the
options of a long select."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from stations.widgets import options_html

register = template.Library()

WAN = Decimal("10000")
YI = Decimal("100000000")


@register.filter
def wan(amount):
    """元 → "1,234.50" (万元, two decimals); empty for no amount."""
    if amount in (None, ""):
        return ""
    return number_format(Decimal(amount) / WAN, decimal_pos=2, force_grouping=True)


@register.filter
def money(amount):
    """元 → the clearest unit: "1.20亿元", "5,000.00万元" or "3,000.00元"."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    if abs(amount) >= YI:
        return f"{number_format(amount / YI, decimal_pos=2, force_grouping=True)}亿元"
    if abs(amount) >= WAN:
        return f"{number_format(amount / WAN, decimal_pos=2, force_grouping=True)}万元"
    return f"{number_format(amount, decimal_pos=2, force_grouping=True)}元"


@register.filter
def verbose_name(instance, field_name):
    """A model field's label, as the admin shows it: `{{ version|verbose_name:"leave_days_month" }}`."""
    return instance._meta.get_field(field_name).verbose_name


@register.simple_tag
def select_options(choices, selected=None):
    """The `<option>`s of `choices` (pairs of value and label, e.g. `values_list("pk", "name")`)
    with `selected` marked: `{% select_options teams filters.station %}`. A team picker of a
    province lists a thousand teams; one template render per option would be most of the page."""
    return options_html(choices, selected)
