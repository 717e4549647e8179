"""Template filters for money (amounts are stored in 元 and shown in 万元 or 亿元), and the
options of a long select."""


from django import template
from django.utils.dates import WEEKDAYS_ABBR

from stations.amounts import in_clearest_unit, in_wan
from stations.names import person_name
from stations.widgets import options_html

register = template.Library()



@register.filter
def wan(amount):
    """元 → "1,234.50" (万元, two decimals); empty for no amount."""
    return in_wan(amount)


@register.filter
def money(amount):
    """元 → the clearest unit: "1.20亿元", "5,000.00万元" or "3,000.00元"."""
    return in_clearest_unit(amount)


@register.filter(name="person_name")
def person_name_filter(user):
    """A user as people know them: their person's name, else their login (`stations.names`)."""
    return person_name(user)


@register.simple_tag
def weekday_names():
    """Monday to Sunday, abbreviated in the active language (a month grid's column heads)."""
    return [WEEKDAYS_ABBR[day] for day in range(7)]


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
