"""The selects written in Python: the same options, selection and escaping as Django's templates."""

import re

import pytest
from django import forms
from django.template import Context, Template

from stations.models import Station, Unit
from stations.widgets import FastSelect, FastSelectMultiple, TeamSelect, UnitSelect, options_html


def options(html):
    """(value, label, selected) of each option, whatever the markup's spacing."""
    return [(value, label, bool(selected)) for value, selected, label in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)]


def test_options_are_escaped_and_the_selected_one_is_marked():
    html = options_html([(1, "A & B"), (2, '<script>"x"</script>'), ("", "—")], selected=2)
    assert options(html) == [("1", "A &amp; B", False),
                             ("2", "&lt;script&gt;&quot;x&quot;&lt;/script&gt;", True), ("", "—", False)]
    assert "<script>" not in html


def test_grouped_choices_become_optgroups():
    html = options_html([("East <1>", [(1, "a"), (2, "b")]), (3, "c")], selected={"1", "3"})
    assert html.startswith('<optgroup label="East &lt;1&gt;"><option value="1" selected>a</option>')
    assert [selected for _value, _label, selected in options(html)] == [True, False, True]


def test_the_template_tag_marks_the_chosen_team():
    html = Template("{% load outpost %}{% select_options teams chosen %}").render(
        Context({"teams": [(1, "Shanghai"), (12, "Shenzhen")], "chosen": 12}))
    assert options(html) == [("1", "Shanghai", False), ("12", "Shenzhen", True)]


class PlainForm(forms.Form):
    colour = forms.ChoiceField(choices=[("", "—"), ("r", "Red"), ("g", "Green & <Blue>")])
    colours = forms.MultipleChoiceField(choices=[("r", "Red"), ("g", "Green")], required=False)


class FastForm(PlainForm):
    colour = forms.ChoiceField(choices=PlainForm.base_fields["colour"].choices, widget=FastSelect)
    colours = forms.MultipleChoiceField(choices=[("r", "Red"), ("g", "Green")], required=False,
                                        widget=FastSelectMultiple)


@pytest.mark.parametrize("data", [None, {"colour": "g", "colours": ["r", "g"]}, {"colour": "", "colours": []}])
def test_fast_selects_render_what_django_renders(data):
    plain, fast = PlainForm(data), FastForm(data)
    for name in ("colour", "colours"):
        django_html, fast_html = str(plain[name]), str(fast[name])
        assert options(fast_html) == options(django_html)
        # The same attributes on the <select> itself: name, id, required, multiple.
        attributes = re.compile(r"<select([^>]*)>")
        assert set(attributes.search(fast_html).group(1).split()) == set(attributes.search(django_html).group(1).split())


class TeamAndUnitForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Station.objects.order_by("name"), widget=TeamSelect)
    unit = forms.ModelChoiceField(queryset=Unit.objects.order_by("name"), widget=UnitSelect, required=False,
                                  empty_label="(none)")


@pytest.mark.django_db
def test_team_and_unit_selects_read_rows_and_clean_to_objects(world, django_assert_num_queries):
    unit = Unit.objects.order_by("name").first()
    unit.short_name = "Short <b>"
    unit.save()
    team = Station.objects.order_by("name").last()
    form = TeamAndUnitForm(initial={"team": team.pk})
    with django_assert_num_queries(2):  # one query per select, however many teams and units
        team_html, unit_html = str(form["team"]), str(form["unit"])
    assert options(team_html) == [("", "---------", False)] + [
        (str(pk), name, pk == team.pk) for pk, name in Station.objects.order_by("name").values_list("pk", "name")]
    unit_options = options(unit_html)
    assert unit_options[0] == ("", "(none)", True)
    assert (str(unit.pk), "Short &lt;b&gt;", False) in unit_options
    assert len(unit_options) == Unit.objects.count() + 1

    bound = TeamAndUnitForm({"team": team.pk, "unit": unit.pk})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["team"] == team and bound.cleaned_data["unit"].short_name == "Short <b>"


class TeamCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


@pytest.mark.django_db
def test_a_field_that_writes_its_own_labels_keeps_them(world):
    form = forms.Form()
    form.fields["team"] = TeamCodeField(queryset=Station.objects.order_by("name"), widget=TeamSelect,
                                        empty_label=None)
    html = str(form["team"])
    assert [label for _value, label, _selected in options(html)] == [
        f"{code} {name}" for code, name in Station.objects.order_by("name").values_list("code", "name")]
    # Required, and its first option is a team (not an empty choice): no `required` attribute, as Django.
    assert " required" not in html.split(">")[0]
