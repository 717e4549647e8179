"""Selects for long lists: a province's teams, units and people, written out in Python.

Django renders each `<option>` of a `Select` through its own template; for the thousand teams a
bureau may reassign a lead to, or the five thousand people of a province, that is most of a
page's time. `FastSelect` and `FastSelectMultiple` write the same HTML as Python strings (every
value escaped), and the `select_options` tag does it for the selects a template writes by hand
(filters, pickers).

The markup is the one Django's templates write — `<option value="…" selected>label</option>`,
`<optgroup label="…">` for grouped choices — so tests, scripts and crispy's classes see no change.
"""

import html
from collections.abc import Iterable

from django import forms
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _escape(text) -> str:
    """`conditional_escape` without its lazy-string wrapper, which costs more than the escaping
    when it runs for every option of a thousand."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def options_html(choices: Iterable, selected) -> str:
    """The `<option>` (and `<optgroup>`) elements of `choices`, pairs of value and label, with
    `selected` (one value, or a set of values as strings) marked. A label that is itself a list
    of pairs is a group, as in Django's choices."""
    chosen = {str(value) for value in selected} if isinstance(selected, (set, frozenset, list, tuple)) \
        else {"" if selected is None else str(selected)}
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            parts.append(f'<optgroup label="{_escape(value)}">{options_html(label, chosen)}</optgroup>')
            continue
        value = "" if value is None else str(value)
        mark = " selected" if value in chosen else ""
        parts.append(f'<option value="{_escape(value)}"{mark}>{_escape(label)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above


class FastSelect(forms.Select):
    """`forms.Select` with its options written in Python (see the module's docstring).

    A subclass for one model may name the columns its label needs (`label_fields`) and how to
    write it (`label`): the options are then read as plain rows, not as a thousand model objects
    each with every column. The object the form cleans is still loaded whole by the field.
    """

    label_fields: tuple[str, ...] = ()

    @staticmethod
    def label(*values) -> str:
        return values[0]

    def _option_choices(self):
        choices = self.choices
        if self.label_fields and isinstance(choices, ModelChoiceIterator) and self._reads_rows(choices.field):
            if choices.field.empty_label is not None:
                yield "", choices.field.empty_label
            for pk, *values in choices.queryset.values_list("pk", *self.label_fields):
                yield pk, self.label(*values)
            return
        for value, label in choices:
            yield getattr(value, "value", value), label

    @staticmethod
    def _reads_rows(field) -> bool:
        """Whether the options may be read as rows: not for a field whose values are not the pk
        (`to_field_name`) or that writes its own labels (`label_from_instance`)."""
        return not field.to_field_name and type(field).label_from_instance is ModelChoiceField.label_from_instance

    def use_required_attribute(self, initial):
        # As Select's, which reads the first choice through the field's iterator (every object).
        required = forms.Widget.use_required_attribute(self, initial)
        if not required or self.allow_multiple_selected:
            return required
        first = next(self._option_choices(), None)
        return first is not None and self._choice_has_empty_value(first)

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        # As Django's attrs.html: `required`, not `required="required"`; False and None leave it out.
        attributes = mark_safe("".join(  # noqa: S308 - keys are the form's own, values are escaped
            f" {key}" if val is True else f' {key}="{_escape(val)}"'
            for key, val in final_attrs.items() if val is not None and val is not False))
        # format_value gives strings; a ModelChoiceField's values are ModelChoiceIteratorValue.
        selected = set(self.format_value(value))
        return format_html('<select name="{}"{}>{}</select>', name, attributes,
                           options_html(self._option_choices(), selected))


class TeamSelect(FastSelect):
    """A select of teams (`Station`): the label is the name, as `Station.__str__`."""

    label_fields = ("name",)


class UnitSelect(FastSelect):
    """A select of units: the label is the short name or else the name, as `Unit.__str__`."""

    label_fields = ("short_name", "name")

    @staticmethod
    def label(short_name, name) -> str:
        return short_name or name


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """`forms.SelectMultiple` with its options written in Python."""
