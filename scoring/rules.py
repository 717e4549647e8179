"""Rule *types* of scoring schemes: code. Their parameters are data (`SchemeItem.params`).

Each rule type declares its parameters — name, kind, default, limits — and `validate` turns an
administrator's JSON into clean values or refuses it with a message per parameter. Evaluating a
rule (the evidence behind each point) builds on these definitions.

Amounts are in 元 and decimals are kept as strings in JSON, so that 0.1 stays 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LEAD_CLASSES = ("raw", "complete", "qualified")
AMOUNTS = ("total", "fixed_asset", "funds_in_place")
FINDINGS = ("lost_by_service", "eight_point_rules")
INDICATORS = ("new_attracted", "new_started", "under_construction", "new_completed", "output_quality", "process")
SECTORS = ("industrial", "tertiary", "agricultural")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # int | decimal | bool | choice | map (name → decimal) | nested map (name → name → decimal)
    default: object = None
    required: bool = False
    choices: tuple = ()
    minimum: Decimal | int | None = 0
    help: str = ""


@dataclass(frozen=True)
class RuleType:
    code: str
    label: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    money: bool = False  # the rule yields an amount of money (a penalty or reward), not points

    def validate(self, raw: dict | None) -> dict:
        """Clean `raw` parameters: defaults filled in, unknown names refused, every value checked.
        Raises `ValidationError` with one message per bad parameter."""
        raw = dict(raw or {})
        errors, clean = [], {}
        known = {param.name for param in self.params}
        for name in sorted(set(raw) - known):
            errors.append(_("%(rule)s has no parameter “%(name)s”.") % {"rule": self.label, "name": name})
        for param in self.params:
            if param.name not in raw or raw[param.name] in (None, ""):
                if param.required:
                    errors.append(_("“%(name)s” is required.") % {"name": param.name})
                clean[param.name] = param.default
                continue
            try:
                clean[param.name] = _clean_value(param, raw[param.name])
            except (ValueError, TypeError, InvalidOperation):
                errors.append(_("“%(name)s” is not valid: %(value)s.") % {"name": param.name, "value": raw[param.name]})
        if errors:
            raise ValidationError(errors)
        return clean


def _number(param: Param, value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError
    if param.minimum is not None and number < Decimal(param.minimum):
        raise ValueError
    return number


def _clean_value(param: Param, value):
    if param.kind == "int":
        number = _number(param, value)
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    if param.kind == "decimal":
        return str(_number(param, value))
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError
        return value
    if param.kind == "choice":
        if value not in param.choices:
            raise ValueError
        return value
    if param.kind == "map":
        if not isinstance(value, dict) or not value:
            raise ValueError
        if param.choices and set(value) - set(param.choices):
            raise ValueError
        return {str(key): str(_number(param, number)) for key, number in value.items()}
    if param.kind == "nested map":
        if not isinstance(value, dict) or not value:
            raise ValueError
        return {str(key): _clean_value(Param(param.name, "map", choices=param.choices, minimum=param.minimum), inner)
                for key, inner in value.items()}
    raise ValueError(param.kind)


RULE_TYPES = {rule.code: rule for rule in [
    RuleType(
        "count_target", _("Count against a target"),
        _("Leads of a class counted in the year against a target: ± points per lead above or below it, "
          "never under the floor, at most the cap."),
        (Param("lead_class", "choice", "raw", choices=LEAD_CLASSES),
         Param("target", "int", required=True),
         Param("points_per_unit", "decimal", "1"),
         Param("penalty_per_unit", "decimal", None, help="Points off per lead short; empty: the same as above."),
         Param("floor", "decimal", "0", minimum=None),
         Param("cap", "decimal", None))),
    RuleType(
        "threshold_project", _("Threshold project"),
        _("Projects at or above an amount (过亿 reads as ≥ 1亿 unless exclusive): points when signed, a bonus "
          "per extra project, a bonus when it lands the same year."),
        (Param("amount", "choice", "fixed_asset", choices=AMOUNTS),
         Param("threshold", "decimal", required=True, minimum=1),
         Param("inclusive", "bool", True),
         Param("basis", "choice", "per_project", choices=("per_project", "yearly_total")),
         Param("points_signed", "decimal", required=True),
         Param("bonus_per_extra", "decimal", "0"),
         Param("landing_bonus", "decimal", "0"),
         Param("landing_bonus_for", "choice", "each", choices=("each", "first")))),
    RuleType(
        "presence", _("Presence"),
        _("Points off per abnormal spot check; none left once one person is found abnormal N times."),
        (Param("points_per_abnormal", "decimal", required=True),
         Param("zero_at", "int", None, minimum=1))),
    RuleType(
        "events", _("Meetings and events"),
        _("Taking part in the events the city requires, and hosting a large event with enough invited "
          "enterprises."),
        (Param("hosted_min_invited", "int", required=True, minimum=1),
         Param("points_hosted", "decimal", required=True),
         Param("points_off_per_missed_city_event", "decimal", "0"))),
    RuleType(
        "judgement", _("Judgement"),
        _("Scored by the assessor up to the item's maximum, always with a written reason."), ()),
    RuleType(
        "deduction", _("Deduction per finding"),
        _("Points off per recorded finding: a project lost through poor service (a finding, not just a lost "
          "stage), or a breach of the eight-point rules."),
        (Param("finding", "choice", required=True, choices=FINDINGS),
         Param("points_per_finding", "decimal", required=True))),
    RuleType(
        "weighted_indicator", _("Weighted indicator"),
        _("One of the six project indicators against the target of the subject's group, times its weight."),
        (Param("indicator", "choice", required=True, choices=INDICATORS),
         Param("weight", "decimal", required=True, minimum=Decimal("0.01")),
         Param("targets_by_group", "map", None, help="Left to the administrator: group → target."))),
    RuleType(
        "amount_target", _("Investment target by rank"),
        _("A yearly amount of investment brought, by the subject's rank and the project's sector."),
        (Param("amount", "choice", "fixed_asset", choices=AMOUNTS),
         Param("targets_by_rank", "nested map", required=True, choices=SECTORS),
         Param("points", "decimal", "0"))),
    RuleType(
        "proportional_penalty", _("Proportional penalty"),
        _("A base amount per rank or unit type times the share of the target missed (money, not points)."),
        (Param("of_item", "choice", required=True, choices=()),
         Param("bases", "map", required=True)), money=True),
    RuleType(
        "veto", _("Veto on a grade"),
        _("Missing another item's target forbids a grade (一票否决: no excellent)."),
        (Param("of_item", "choice", required=True, choices=()),
         Param("forbids", "choice", "excellent", choices=("excellent",)))),
]}

# Rule types with a target, whose shortfall a penalty or a veto may read.
TARGETED = ("count_target", "threshold_project", "weighted_indicator", "amount_target")

# `of_item` names another item of the same scheme: checked by the scheme, not the rule type.
ITEM_REFERENCES = {"of_item"}


def amount_valued(item) -> bool:
    """Whether a scheme item's value is an amount in 元 (funds in place, investment signed in the
    period), not a count."""
    params = item.params or {}
    return item.rule_type == "amount_target" or (item.rule_type == "threshold_project" and (
        params.get("amount") == "funds_in_place" or params.get("basis") == "yearly_total"))


def method_of(item) -> str:
    """How a scheme item is scored, as the score sheet says it: its rule type's description, but
    for a threshold on a total (funds in place, investment signed in the period) the rule that
    total follows, not the per-project bonuses."""
    if item.rule_type == "threshold_project" and amount_valued(item):
        return str(_("A total in the period at or above an amount: the item's points once it is reached."))
    return str(RULE_TYPES[item.rule_type].description)


def rule_type(code: str) -> RuleType:
    return RULE_TYPES[code]


def validate(code: str, params: dict | None, *, item_codes=()) -> dict:
    """Clean the parameters of a rule of type `code` in a scheme whose items are `item_codes`."""
    rule = RULE_TYPES.get(code)
    if rule is None:
        raise ValidationError(_("Unknown rule type “%(code)s”.") % {"code": code})
    params = dict(params or {})
    references = {name: params.pop(name) for name in ITEM_REFERENCES if name in params}
    stripped = RuleType(rule.code, rule.label, rule.description,
                        tuple(param for param in rule.params if param.name not in ITEM_REFERENCES))
    clean = stripped.validate(params)
    for param in rule.params:
        if param.name in ITEM_REFERENCES:
            value = references.get(param.name)
            if value not in item_codes:
                raise ValidationError(_("“%(name)s” must name another item of this scheme.") % {"name": param.name})
            clean[param.name] = value
    return clean
