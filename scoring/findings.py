"""Findings: a project lost through poor service, a breach of the eight-point rules — recorded by
the assessing offices (the bureau or the assessment office) against a person or a whole team, and
counted by the "deduction" items of the scoring schemes.

Who reads them: the offices that read every team see every finding; anyone else sees the
findings about the teams they may see (a team's members their own team's, a home unit the teams
it forms or lends people to). Who records them: the bureau or the assessment office, on a team
they may review — never on a team they are posted to. A finding is not edited or deleted on the
site: evaluations cite it as evidence, and a result that cited it must still be explainable. One
recorded in error is withdrawn instead, by the same offices, with the reason (`finding_withdraw`):
it stays on record, marked, and deduction items stop counting it at the next computation.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Person, Posting, Station
from stations.permissions import READ_ALL_ROLES, Action, Role, has_role, roles_of, stations_for, user_can

from . import access
from .models import EvaluationLine, Finding, FindingKind

# The assessing offices (DESIGN §3): a third-party assessor adjudicates but does not record findings.
RECORDERS = (Role.BUREAU, Role.ASSESSMENT)
REASON_LIMIT = 2000


def findings_for(user):
    """The findings `user` may read."""
    if not user.is_authenticated:
        return Finding.objects.none()
    if user.is_superuser or roles_of(user) & READ_ALL_ROLES:
        return Finding.objects.all()
    return Finding.objects.filter(station__in=stations_for(user, Action.VIEW))


def may_read(user) -> bool:
    """Anyone who sees a team at all has a findings page (possibly empty)."""
    return user_can(user, Action.VIEW)


def may_record(user, station: Station | None = None) -> bool:
    """The bureau or the assessment office, on a team it may review (on any team when `station`
    is None) — never one of its own."""
    return any(has_role(user, role) for role in RECORDERS) and user_can(user, Action.REVIEW, station)


def recordable_stations(user):
    """The teams `user` may record findings on."""
    return stations_for(user, Action.REVIEW) if may_record(user) else Station.objects.none()


def recordable_people(user):
    """Everyone ever posted to a team `user` may record findings on (the service checks the day)."""
    return (Person.objects.filter(postings__station__in=recordable_stations(user)).distinct()
            .select_related("home_unit").order_by("name", "pk"))


def _posted_on(person: Person, station: Station, day: datetime.date) -> bool:
    return (Posting.objects.filter(person=person, station=station, start_date__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)).exists())


@transaction.atomic
def finding_record(*, user, station: Station, kind: str, date: datetime.date, description: str,
                   person: Person | None = None) -> Finding:
    """Record a finding against `person` (posted to `station` on `date`) or, without a person,
    against the whole team. The date is not in the future; the description says what was found."""
    if not may_record(user, station):
        raise PermissionDenied
    errors = {}
    if kind not in FindingKind.values:
        errors["kind"] = _("Choose the kind of finding.")
    if date is None:
        errors["date"] = _("Give the date of the finding.")
    elif date > timezone.localdate():
        errors["date"] = _("A finding cannot be dated in the future.")
    if not (description or "").strip():
        errors["description"] = _("Say what was found.")
    if person is not None and date is not None and "date" not in errors and not _posted_on(person, station, date):
        errors["person"] = _("%(person)s was not posted to %(team)s on %(date)s: record the finding against the "
                             "team, or choose someone posted there that day.") % {
            "person": person.name, "team": station.name, "date": f"{date:%Y-%m-%d}"}
    if errors:
        raise ValidationError(errors)
    finding = Finding(station=station, person=person, kind=kind, date=date, description=description.strip(),
                      recorded_by=user)
    finding._history_user = user
    finding.save()
    return finding


def may_withdraw(user, finding: Finding) -> bool:
    """Whoever may record a finding on its team may withdraw it, while it stands."""
    return not finding.is_withdrawn and may_record(user, finding.station)


@transaction.atomic
def finding_withdraw(*, user, finding: Finding, reason: str) -> Finding:
    """Withdraw `finding`, recorded in error, saying why. It is kept, marked withdrawn (who, when,
    why, and a history row); the evaluations computed from now on no longer count it, while those
    already published or final keep the result they had. A finding is withdrawn once."""
    finding = Finding.objects.select_for_update().select_related("station").get(pk=finding.pk)
    if not may_record(user, finding.station):
        raise PermissionDenied
    if finding.is_withdrawn:
        raise ValidationError(_("This finding was already withdrawn on %(date)s.") % {
            "date": f"{timezone.localtime(finding.withdrawn_at):%Y-%m-%d %H:%M}"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the finding is withdrawn.")})
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": _("Keep the reason to %(limit)s characters at most.") % {"limit": REASON_LIMIT}})
    finding.withdrawn_at, finding.withdrawn_by, finding.withdrawal_reason = timezone.now(), user, reason
    finding._history_user = user
    finding.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return finding


def cited_finding(piece) -> int | None:
    """The id of the finding a piece of a line's evidence cites (`{"kind": "finding", "id": pk,
    …}`, as `scoring.engine` writes it), or None for other evidence."""
    return piece.get("id") if isinstance(piece, dict) and piece.get("kind") == "finding" else None


def withdrawn_among(lines) -> set[int]:
    """The findings cited by `lines` that were withdrawn since (one query, none when no line cites
    a finding): a result already published keeps its evidence, which says so beside them."""
    cited = {cited_finding(piece) for line in lines for piece in line.evidence or ()} - {None}
    return set(Finding.objects.filter(pk__in=cited, withdrawn_at__isnull=False).values_list("pk", flat=True)
               ) if cited else set()


def citing_lines(*, user, finding: Finding) -> list[EvaluationLine]:
    """The evaluation lines that cite `finding` as evidence, among the evaluations `user` may read.

    One query, on any database: JSON containment (`evidence__contains=[…]`) works on PostgreSQL but
    not on SQLite, so the database narrows the candidates to the lines of the evaluations that could
    have counted the finding — of its team or its person, over a period that contains its date, as
    the deduction rule counts them — and Python keeps the lines whose evidence names it. A line cites
    a finding as `{"kind": "finding", "id": pk, …}` (`scoring.engine`)."""
    subject = Q(evaluation__station_id=finding.station_id)
    if finding.person_id is not None:
        subject |= Q(evaluation__person_id=finding.person_id)
    candidates = (EvaluationLine.objects.filter(subject, evaluation__in=access.evaluations_for(user),
                                                evaluation__period_start__lte=finding.date,
                                                evaluation__period_end__gte=finding.date)
                  .select_related("item", "evaluation__scheme", "evaluation__person", "evaluation__station")
                  .order_by("-evaluation__period_start", "evaluation__period_end", "evaluation__pk"))
    return [line for line in candidates if any(cited_finding(piece) == finding.pk for piece in line.evidence or ())]
