"""Writes of the scoring app: schemes from the presets, and copies with a profile."""

from __future__ import annotations

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import SchemeItem, SchemeSubject, ScoringScheme


@transaction.atomic
def scheme_create(*, version, code: str, name: str, subject: str, items, user=None, **fields) -> ScoringScheme:
    """A scheme and its items, each item validated against its rule type (in order, so that an
    item may name an earlier one). `items` are (code, label, rule type, points, params)."""
    scheme = ScoringScheme(version=version, code=code, name=name, subject=subject, **fields)
    scheme.full_clean()
    scheme._history_user = user
    scheme.save()
    for position, (item_code, label, rule_type, points, params) in enumerate(items, start=1):
        item = SchemeItem(scheme=scheme, position=position, code=item_code, label=label, rule_type=rule_type,
                          max_points=points, params=params)
        item.full_clean()
        item._history_user = user
        item.save()
    return scheme


def schemes_install_preset(version, preset_code: str) -> None:
    """Give a preset's new version its schemes (`stations.services.PRESET_EXTENSIONS`)."""
    from .presets import SCHEMES

    for spec in SCHEMES.get(preset_code, []):
        fields = {key: value for key, value in spec.items() if key not in ("items",)}
        scheme_create(version=version, items=spec["items"], **fields)


# Everything a copy keeps (the version is the new one's).
SCHEME_FIELDS = ("code", "name", "subject", "total_points", "interview_line", "publication_working_days",
                 "excellent_quota", "is_sketch", "person_counts", "note")


def schemes_copy(old_version, new_version) -> None:
    """Copy a version's schemes with their items and listed subjects, with the rest of a profile
    (`PROFILE_COPY_EXTENSIONS`)."""
    for scheme in old_version.scoring_schemes.prefetch_related("items", "subjects"):
        copy = ScoringScheme.objects.create(
            version=new_version, **{field: getattr(scheme, field) for field in SCHEME_FIELDS})
        bulk_create_with_history([
            SchemeItem(scheme=copy, position=item.position, code=item.code, label=item.label,
                       rule_type=item.rule_type, max_points=item.max_points, params=item.params)
            for item in scheme.items.all()], SchemeItem)
        bulk_create_with_history([
            SchemeSubject(scheme=copy, person_id=row.person_id, unit_id=row.unit_id, group=row.group, heads=row.heads)
            for row in scheme.subjects.all()], SchemeSubject)
