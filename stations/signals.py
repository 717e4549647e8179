"""Receivers that turn authentication signals into security events."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models.security import SecurityEventKind
from .security import LAST_SEEN, LOGIN_AT, mark_password_confirmed, record


@receiver(user_logged_in, dispatch_uid="outpost_logged_in")
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    mark_password_confirmed(request)
    record(SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="outpost_logged_out")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="outpost_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(SecurityEventKind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out, dispatch_uid="outpost_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(SecurityEventKind.LOCKED_OUT, request=request, username=str(username or "")[:150])



# --- Warnings: mark a team's stored snapshot stale when something its warnings read changes ----

def stale_by_team(to_station_ids):
    """A receiver marking stale the teams `to_station_ids(instance)` names (ids or a subquery)."""
    def receiver(sender, instance, **kwargs):
        from .warnings import mark_stale

        mark_stale(to_station_ids(instance))
    return receiver


def stale_by_person(to_people):
    """A receiver marking stale the teams of the people (and teams) `to_people(instance)` names."""
    def receiver(sender, instance, **kwargs):
        from .warnings import mark_stale_for_people

        mark_stale_for_people(*to_people(instance))
    return receiver


def stale_everywhere(sender, **kwargs):
    from .warnings import mark_all_stale

    mark_all_stale()


def watch(model, receiver, uid: str) -> None:
    """Connect `receiver` to the saves and deletions of `model` (used by other apps too)."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(receiver, sender=model, dispatch_uid=f"outpost_warnings_{uid}_save", weak=False)
    post_delete.connect(receiver, sender=model, dispatch_uid=f"outpost_warnings_{uid}_delete", weak=False)


def _own_team(instance):
    return [instance.station_id]


def _person_and_team(instance):
    return [instance.person_id], [instance.station_id]


def connect_warning_receivers() -> None:
    """What the providers of `stations.warnings` read, mapped to the teams whose warnings change.
    Presence is a person's (logs, checks and leave count wherever the person is posted), and a
    person's name is in their warnings' text: those mark the teams of the person's postings. The
    profile, its team kinds and the calendar are everyone's. (`leads.signals` adds the leads app's.)"""
    from . import models as m

    by_team = {
        "posting": (m.Posting, _own_team),
        "station": (m.Station, lambda station: [station.pk]),
        "report": (m.Report, _own_team),
        "report_version": (m.ReportVersion, lambda version: (
            m.Report.objects.filter(pk=version.report_id).values("station_id"))),
        "report_review": (m.ReportReview, lambda review: (
            m.Report.objects.filter(versions=review.version_id).values("station_id"))),
        "event": (m.Event, _own_team),
        "event_decision": (m.EventDecision, lambda decision: (
            m.Event.objects.filter(pk=decision.event_id).values("station_id"))),
        "accountability": (m.AccountabilityRecord, _own_team),
    }
    for uid, (model, to_station_ids) in by_team.items():
        watch(model, stale_by_team(to_station_ids), uid)
    by_person = {
        "work_log": (m.WorkLog, _person_and_team),
        "spot_check": (m.SpotCheck, _person_and_team),
        "absence": (m.Absence, _person_and_team),
        "absence_decision": (m.AbsenceDecision, lambda decision: (
            m.Absence.objects.filter(pk=decision.absence_id).values("person_id"),
            m.Absence.objects.filter(pk=decision.absence_id).values("station_id"))),
        "person": (m.Person, lambda person: ([person.pk], [])),
    }
    for uid, (model, to_people) in by_person.items():
        watch(model, stale_by_person(to_people), uid)
    for uid, model in {"profile": m.Profile, "profile_version": m.ProfileVersion, "team_kind": m.TeamKindRule,
                       "calendar_day": m.CalendarDay}.items():
        watch(model, stale_everywhere, uid)
