"""The permission matrix: every URL of the site × every persona → the expected status.

The list of URLs comes from the URL conf, so a new view without a row here fails
`test_every_url_has_a_row`. Admin pages are covered in `tests/stations/test_admin.py`.
"""

import copy
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stations.models import Profile, TodoItem
from stations.models.todo import TodoKind

from .conftest import PERSONAS

OK, FOUND, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = (
    HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED
)

# Columns in PERSONAS order:
#  anonymous chief_a staff_a chief_b bureau bureau_a assessor park leader finance home_unit
EVERYONE = (FOUND, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)
BUREAU_ONLY = (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
POST_ONLY = (FOUND, *(NOT_ALLOWED,) * 10)
# Team members: chief_a, staff_a, chief_b and bureau_a (posted to station A).
TEAM_MEMBERS = (FOUND, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
TEAM_OR_BUREAU = (FOUND, OK, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
# Who sees station A: its people, readers of every team, its home unit — not station B or the park.
SEE_A = (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK)
# The offices that review teams: the bureau and the assessment office.
REVIEWERS = (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
# Roles that read every team (the circular compares them all).
READERS_OF_ALL = (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK, OK, FORBIDDEN)
# One-shot actions on station A's objects for those who work on it (an invalid form redirects back).
WORK_ON_A = (FOUND, FOUND, FOUND, NOT_FOUND, FORBIDDEN, FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN)

# Station A's money: read by its people, the bureau, finance and leadership; seen but not read by
# the assessment office and station A's home unit (a forming unit, not its lead unit).
FUNDS_A = (FOUND, OK, OK, NOT_FOUND, OK, OK, FORBIDDEN, NOT_FOUND, OK, OK, FORBIDDEN)
# An object of station A's money (a claim, a receipt): outside the scope is a 404, never a 403.
FUNDS_A_OBJECT = (FOUND, OK, OK, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND)
# The offices that read every team's money.
ALL_FUNDS = (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)
# Keeping station A's ledger: the bureau and finance, not bureau_a who is posted to it.
KEEP_A = (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, FORBIDDEN)

KEEP_A_ACTION = tuple(FOUND if status == OK else status for status in KEEP_A)

# url name → (kwargs builder, expected statuses for GET in PERSONAS order)
MATRIX = {
    "stations:home": (None, EVERYONE),
    "stations:list": (None, EVERYONE),
    "stations:create": (None, BUREAU_ONLY),
    "stations:roster_export": (None, BUREAU_ONLY),
    "stations:detail": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK),
    ),
    # bureau_a is posted to station A: it does not manage its own team.
    "stations:update": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "stations:posting_create": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    "stations:posting_update": (
        lambda w: {"pk": w.postings["chief_b"].pk},
        (FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "stations:posting_end": (
        lambda w: {"pk": w.postings["chief_b"].pk},
        (FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "stations:person_list": (None, EVERYONE),
    "stations:person_create": (None, BUREAU_ONLY),
    # Personal data needs the view_person permission: finance reads teams, not people.
    "stations:person_detail": (
        lambda w: {"pk": w.person("chief_b").pk},
        (FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND),
    ),
    "stations:person_update": (lambda w: {"pk": w.person("chief_b").pk}, BUREAU_ONLY),
    "stations:unit_detail": (
        lambda w: {"pk": w.unit_a.pk},
        (FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK),
    ),
    "stations:todo_list": (None, EVERYONE),
    "stations:todo_done": (lambda w: {"pk": w.todo.pk}, POST_ONLY),
    "stations:profile_list": (None, EVERYONE),
    "stations:profile_detail": (lambda w: {"pk": Profile.objects.get(code="xiangzhou").pk}, EVERYONE),
    "login": (None, (OK, *(FOUND,) * 10)),
    "logout": (None, (NOT_ALLOWED,) * 11),
    "password_change": (None, EVERYONE),
    "password_confirm": (None, EVERYONE),
    "set_language": (None, (NOT_ALLOWED,) * 11),
    "favicon": (None, (HTTPStatus.MOVED_PERMANENTLY,) * 11),
    # For load balancers: public, the same answer whoever asks (tests/stations/test_health.py).
    "stations:health": (None, (OK,) * 11),
    "stations:worklog_today": (None, TEAM_MEMBERS),
    # chief_a's month: their team, readers of people, their home unit.
    "stations:worklog_month": (
        None, (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND, OK)),
    "stations:team_month": (
        lambda w: {"pk": w.station_a.pk}, (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, OK)),
    # --- duty: `w.absence` staff_a's leave (waiting for chief_a), `w.event` station A's large event
    # (waiting for the bureau), `w.report` station A's submitted research report with a document,
    # `w.dispatch` last month's dispatch meeting with `w.task` for station A.
    "stations:absence_list": (None, EVERYONE),
    "stations:absence_create": (None, TEAM_MEMBERS),
    "stations:absence_detail": (lambda w: {"pk": w.absence.pk}, SEE_A),
    "stations:absence_decide": (lambda w: {"pk": w.absence.pk}, POST_ONLY),
    "stations:absence_withdraw": (lambda w: {"pk": w.absence.pk}, POST_ONLY),
    "stations:check_list": (None, EVERYONE),
    "stations:check_create": (None, REVIEWERS),
    "stations:check_plan_draw": (None, POST_ONLY),
    "stations:check_plan_pick": (None, POST_ONLY),
    "stations:event_list": (None, EVERYONE),
    "stations:event_create": (None, TEAM_MEMBERS),
    "stations:event_detail": (lambda w: {"pk": w.event.pk}, SEE_A),
    "stations:event_decide": (lambda w: {"pk": w.event.pk}, POST_ONLY),
    "stations:event_outcome": (lambda w: {"pk": w.event.pk}, POST_ONLY),
    "stations:event_withdraw": (lambda w: {"pk": w.event.pk}, POST_ONLY),
    "stations:report_list": (lambda w: {"pk": w.station_a.pk}, SEE_A),
    "stations:review_queue": (None, REVIEWERS),
    "stations:report_detail": (lambda w: {"pk": w.report.pk}, SEE_A),
    "stations:report_edit": (lambda w: {"pk": w.report.pk}, POST_ONLY),
    "stations:report_refresh": (lambda w: {"pk": w.report.pk}, POST_ONLY),
    "stations:report_review": (lambda w: {"pk": w.report.pk}, POST_ONLY),
    "stations:report_file": (lambda w: {"pk": w.report.pk}, SEE_A),
    "stations:circular": (None, READERS_OF_ALL),
    "stations:circular_export": (None, READERS_OF_ALL),
    "stations:dispatch_list": (None, REVIEWERS),
    "stations:dispatch_detail": (lambda w: {"pk": w.dispatch.pk}, REVIEWERS),
    "stations:dispatch_minutes": (lambda w: {"pk": w.dispatch.pk}, POST_ONLY),
    "stations:dispatch_task_add": (lambda w: {"pk": w.dispatch.pk}, POST_ONLY),
    "stations:task_done": (lambda w: {"pk": w.task.pk}, POST_ONLY),
    # The park reads no team, so it has no warnings.
    "stations:warning_list": (None, (FOUND, OK, OK, OK, OK, OK, OK, FORBIDDEN, OK, OK, OK)),
    # Decisions about staff_a: the offices the Xiangzhou preset names (the bureau; the leading
    # group through leadership), never from staff_a's own team; finance cannot read people.
    "stations:accountability_create": (
        lambda w: {"pk": w.person("staff_a").pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN)),
    # --- scoring: `w.evaluation` station A's evaluation under the Xiangzhou team sheet.
    "scoring:evaluation_list": (None, EVERYONE),
    "scoring:evaluation_compute": (None, POST_ONLY),
    "scoring:evaluation_export": (None, READERS_OF_ALL),
    # Before publication: the offices that read every team, and the team itself.
    "scoring:evaluation_detail": (
        lambda w: {"pk": w.evaluation.pk}, (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND, OK, OK, NOT_FOUND)),
    "scoring:line_judge": (lambda w: {"pk": w.evaluation.pk, "line_pk": w.evaluation.lines.first().pk}, POST_ONLY),
    "scoring:evaluation_grade": (lambda w: {"pk": w.evaluation.pk}, POST_ONLY),
    "scoring:evaluation_act": (lambda w: {"pk": w.evaluation.pk}, POST_ONLY),
    "scoring:objection_answer": (lambda w: {"pk": w.evaluation.pk, "objection_pk": w.objection.pk}, POST_ONLY),
    # The feedback sheet is for a person's final result: `w.evaluation` (a team's, not final) sends
    # whoever may read it back to the evaluation with a message.
    "scoring:evaluation_feedback": (
        lambda w: {"pk": w.evaluation.pk},
        (FOUND, FOUND, FOUND, NOT_FOUND, FOUND, FOUND, FOUND, NOT_FOUND, FOUND, FOUND, NOT_FOUND)),
    # A home unit exports its own people; the offices that read every team any unit's or everyone's.
    "scoring:feedback_export": (
        None, (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK, OK, OK)),
    # `w.finding`: against staff_a of station A. Everyone who sees a team has the list (possibly
    # empty); the bureau and the assessment office record findings (bureau_a not on station A).
    "scoring:finding_list": (None, (FOUND, OK, OK, OK, OK, OK, OK, FORBIDDEN, OK, OK, OK)),
    "scoring:finding_create": (None, REVIEWERS),
    "scoring:finding_detail": (lambda w: {"pk": w.finding.pk}, SEE_A),
    "scoring:finding_withdraw": (lambda w: {"pk": w.finding.pk}, POST_ONLY),
    # --- rewards: `w.reward` an individual award to staff_a proposed by the bureau. Rewards are for
    # the offices that read every team; the bureau computes and proposes, the service decides the rest.
    "scoring:reward_list": (None, READERS_OF_ALL),
    "scoring:reward_compute": (None, POST_ONLY),
    "scoring:reward_pay": (None, POST_ONLY),
    "scoring:award_propose": (None, BUREAU_ONLY),
    "scoring:reward_detail": (lambda w: {"pk": w.reward.pk}, READERS_OF_ALL),
    "scoring:reward_advance": (lambda w: {"pk": w.reward.pk}, POST_ONLY),
    "scoring:reward_claw_back": (lambda w: {"pk": w.reward.pk}, POST_ONLY),
    "scoring:reward_settlement": (lambda w: {"pk": w.reward.pk}, POST_ONLY),
    "scoring:reward_export": (None, READERS_OF_ALL),
    "scoring:penalty_export": (None, READERS_OF_ALL),
    # --- leads: `w.lead` is station A's lead, transferred to the park; `w.meeting` a screening meeting.
    "leads:list": (None, EVERYONE),
    "leads:board": (None, EVERYONE),
    "leads:funnel": (None, EVERYONE),
    "leads:major_report": (None, EVERYONE),
    "leads:export": (None, EVERYONE),
    "leads:create": (None, TEAM_MEMBERS),
    "leads:duplicates": (None, TEAM_MEMBERS),
    "leads:import": (None, TEAM_OR_BUREAU),
    "leads:import_template": (None, TEAM_OR_BUREAU),
    "leads:import_confirm": (None, POST_ONLY),
    "leads:meeting_list": (None, BUREAU_ONLY),
    "leads:meeting_detail": (lambda w: {"pk": w.meeting.pk}, BUREAU_ONLY),
    "leads:detail": (lambda w: {"pk": w.lead.pk}, (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, OK, OK, OK, OK)),
    "leads:enterprise_detail": (
        lambda w: {"pk": w.lead.enterprise_id}, (FOUND, OK, OK, NOT_FOUND, OK, OK, OK, OK, OK, OK, OK)),
    # After the transfer the park owns the lead: only the park edits it.
    "leads:update": (
        lambda w: {"pk": w.lead.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN,
         FORBIDDEN),
    ),
    "leads:move": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:resolve_duplicate": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:reassign": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:investor_visit_add": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:funds_add": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:determine": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:follow_up_plan": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:return_visit_add": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    "leads:outcome_add": (lambda w: {"pk": w.lead.pk}, POST_ONLY),
    # The park sees no team, so it has no contact book or visit log.
    "leads:contacts": (None, (FOUND, OK, OK, OK, OK, OK, OK, FORBIDDEN, OK, OK, OK)),
    "leads:visits": (None, (FOUND, OK, OK, OK, OK, OK, OK, FORBIDDEN, OK, OK, OK)),
    # --- funding: station A's money (tests/funding/funding_world.py). Its people, the bureau,
    # finance and leadership read it; the assessment office sees the team but not its money; the
    # bureau and finance keep it (bureau_a, posted to station A, does not keep its own team's).
    "funding:overview": (None, (FOUND, FOUND, FOUND, FOUND, OK, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "funding:summary_export": (None, ALL_FUNDS),
    "funding:budgets_set_all": (None, POST_ONLY),
    "funding:station": (lambda w: {"pk": w.station_a.pk}, FUNDS_A),
    "funding:ledger_export": (lambda w: {"pk": w.station_a.pk}, FUNDS_A),
    "funding:entry_new": (lambda w: {"pk": w.station_a.pk}, KEEP_A),
    "funding:budget_set": (lambda w: {"pk": w.station_a.pk}, POST_ONLY),
    "funding:disburse": (lambda w: {"pk": w.station_a.pk}, KEEP_A),
    "funding:lump_sum": (lambda w: {"pk": w.station_a.pk}, POST_ONLY),
    "funding:increase_new": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, OK, OK, NOT_FOUND, OK, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, FORBIDDEN)),
    "funding:year_close": (lambda w: {"pk": w.station_a.pk}, POST_ONLY),
    # Xiangzhou dismisses nobody, so nobody records a recovery (Susong's case: tests/funding).
    "funding:recovery_new": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN,
         FORBIDDEN)),
    "funding:claim_new": (
        lambda w: {"pk": w.station_a.pk},
        (FOUND, OK, OK, NOT_FOUND, FORBIDDEN, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    "funding:entry_reverse": (lambda w: {"pk": w.entry.pk}, POST_ONLY),
    "funding:claim_list": (None, (FOUND, OK, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)),
    "funding:claim_detail": (lambda w: {"pk": w.claim.pk}, FUNDS_A_OBJECT),
    "funding:claim_print": (lambda w: {"pk": w.claim.pk}, FUNDS_A_OBJECT),
    "funding:claim_decide": (lambda w: {"pk": w.claim.pk}, POST_ONLY),
    "funding:claim_override": (lambda w: {"pk": w.claim.pk}, POST_ONLY),
    "funding:claim_decline": (lambda w: {"pk": w.claim.pk}, POST_ONLY),
    "funding:claim_withdraw": (lambda w: {"pk": w.claim.pk}, POST_ONLY),
    "funding:receipt_file": (lambda w: {"pk": w.receipt.pk}, FUNDS_A_OBJECT),
    "funding:increase_detail": (lambda w: {"pk": w.increase.pk}, FUNDS_A_OBJECT),
    "funding:increase_decide": (lambda w: {"pk": w.increase.pk}, POST_ONLY),
}


def _url_names(resolver=None, namespace=""):
    """Every named URL of the site, with its namespace (the admin is tested on its own)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_row():
    missing = sorted(set(_url_names()) - set(MATRIX))
    assert missing == [], f"URLs without a permission-matrix row: {missing}"


def test_matrix_has_no_stale_rows():
    assert sorted(set(MATRIX) - set(_url_names())) == []


CASES = [(name, persona, expected[i]) for name, (_k, expected) in MATRIX.items() for i, persona in enumerate(PERSONAS)]


@pytest.fixture
def world(furnished_world, db):
    """One world for every case of the module (`furnished_world`, tests/conftest.py), copied for
    each, as `TestCase.setUpTestData` does: what a case changes in memory never reaches the next."""
    return copy.deepcopy(furnished_world)


@pytest.mark.parametrize(("url_name", "persona", "expected"), CASES, ids=[f"{n}-{p}" for n, p, _e in CASES])
def test_permission_matrix(world, client_for, url_name, persona, expected):
    world.todo = world.todos[persona]
    builder, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(world) if builder else None)
    if url_name == "stations:worklog_month":
        url += f"?person={world.person('chief_a').pk}"
    response = client_for(persona).get(url)
    assert response.status_code == expected, f"{persona} GET {url}: {response.status_code}, expected {expected}"
    if expected == FOUND and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


# POST to every state-changing view, per persona, with an empty form: allowed personas get the
# form back with errors (200), the others 403 or 404 — and nothing changes either way.
POST_MATRIX = {
    "stations:create": BUREAU_ONLY,
    "stations:update": MATRIX["stations:update"][1],
    "stations:posting_create": MATRIX["stations:posting_create"][1],
    "stations:posting_update": MATRIX["stations:posting_update"][1],
    "stations:posting_end": MATRIX["stations:posting_end"][1],
    "stations:person_create": BUREAU_ONLY,
    "stations:person_update": BUREAU_ONLY,
    "leads:create": TEAM_MEMBERS,
    "stations:worklog_today": TEAM_MEMBERS,
    "leads:meeting_list": BUREAU_ONLY,
    "leads:meeting_detail": BUREAU_ONLY,
    # An invalid form on a one-shot action goes back to the lead (302) with the errors as messages.
    "leads:move": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FORBIDDEN,
                   FORBIDDEN, FORBIDDEN),
    "leads:resolve_duplicate": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:reassign": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                       FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:investor_visit_add": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, FOUND,
                                 FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:funds_add": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND,
                        FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:determine": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                        FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:follow_up_plan": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, FOUND,
                             FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:return_visit_add": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND,
                               FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:outcome_add": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND,
                          FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # Correcting an enterprise: the bureau, or a team that deals with it (station A's lead); an
    # invalid form comes back with its errors.
    "leads:enterprise_detail": (FOUND, OK, OK, NOT_FOUND, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                FORBIDDEN),
    # Adding to a contact book or visit log: the user's own team only.
    "leads:contacts": (FOUND, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "leads:visits": (FOUND, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # --- duty
    "stations:absence_create": TEAM_MEMBERS,
    # staff_a's leave waits for chief_a's scheduling step: only chief_a acts in it.
    "stations:absence_decide": (FOUND, FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND,
                                FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:check_create": REVIEWERS,
    "stations:check_plan_draw": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FOUND, FORBIDDEN,
                                 FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:check_plan_pick": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FOUND, FORBIDDEN,
                                 FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:event_create": TEAM_MEMBERS,
    # Station A's large event waits for the bureau (not bureau_a, who is posted to station A).
    "stations:event_decide": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND,
                              FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:event_outcome": WORK_ON_A,
    "stations:report_list": (FOUND, OK, OK, NOT_FOUND, FORBIDDEN, OK, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN,
                             FORBIDDEN),
    # The report is submitted: editing and refreshing are refused with a message.
    "stations:report_edit": WORK_ON_A,
    "stations:report_refresh": WORK_ON_A,
    "stations:report_review": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FOUND, NOT_FOUND,
                               FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:dispatch_list": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                               FORBIDDEN, FORBIDDEN),
    "stations:dispatch_minutes": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FORBIDDEN, FORBIDDEN,
                                  FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:dispatch_task_add": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FORBIDDEN, FORBIDDEN,
                                   FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stations:task_done": WORK_ON_A,
    "stations:accountability_create": MATRIX["stations:accountability_create"][1],
    # --- scoring: an empty form comes back to the list or the evaluation with a message.
    "scoring:evaluation_compute": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FOUND, FORBIDDEN,
                                   FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "scoring:line_judge": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FOUND, NOT_FOUND, FORBIDDEN,
                           FORBIDDEN, NOT_FOUND),
    "scoring:evaluation_grade": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FOUND, NOT_FOUND,
                                 FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # No action chosen: back to the evaluation with a message, for whoever may read it.
    "scoring:evaluation_act": (FOUND, FOUND, FOUND, NOT_FOUND, FOUND, FOUND, FOUND, NOT_FOUND, FOUND, FOUND,
                               NOT_FOUND),
    # Answering objections is the adjudicating office's (the assessment office here).
    "scoring:objection_answer": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FOUND, NOT_FOUND,
                                 FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # An empty form comes back with its errors for the assessing offices.
    "scoring:finding_create": REVIEWERS,
    # Without a reason: back to the finding with a message, for the offices that may withdraw it
    # (not bureau_a, posted to station A); a 404 for who does not see station A.
    "scoring:finding_withdraw": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, FOUND, NOT_FOUND,
                                 FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # --- rewards: an empty form comes back to the list or the reward with a message for whoever
    # takes that kind of step (the bureau computes and enters expenses, finance pays, leadership
    # claws back; every reader may try a step of the chain); an empty award form shows its errors.
    "scoring:reward_compute": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FORBIDDEN, FORBIDDEN,
                               FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "scoring:reward_pay": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                           FORBIDDEN, FOUND, FORBIDDEN),
    "scoring:award_propose": BUREAU_ONLY,
    "scoring:reward_advance": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FOUND, FORBIDDEN, FOUND,
                               FOUND, FORBIDDEN),
    "scoring:reward_claw_back": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                 FORBIDDEN, FOUND, FORBIDDEN, FORBIDDEN),
    "scoring:reward_settlement": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FORBIDDEN, FORBIDDEN,
                                  FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # --- funding: forms come back with their errors; one-click actions without their year or month
    # go back to the page with a message (302). Withdrawing a claim is a button with no form, tested
    # in tests/funding.
    "funding:budgets_set_all": (FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND, FOUND, FORBIDDEN, FORBIDDEN,
                                FORBIDDEN, FOUND, FORBIDDEN),
    "funding:entry_new": KEEP_A,
    "funding:budget_set": KEEP_A_ACTION,
    "funding:disburse": KEEP_A,
    "funding:lump_sum": KEEP_A_ACTION,
    "funding:year_close": KEEP_A_ACTION,
    # An entry outside the user's money scope is a 404 (the assessment office, the home unit).
    "funding:entry_reverse": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND,
                              FORBIDDEN, FOUND, NOT_FOUND),
    "funding:increase_new": MATRIX["funding:increase_new"][1],
    "funding:recovery_new": MATRIX["funding:recovery_new"][1],
    "funding:claim_new": MATRIX["funding:claim_new"][1],
    # staff_a's claim waits for chief_a; only chief_a acts in that step.
    "funding:claim_decide": (FOUND, FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND,
                             FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # The claim is not held: nobody overrides or declines it.
    "funding:claim_override": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND,
                               FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "funding:claim_decline": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND,
                              FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # chief_a's increase waits for the bureau's agreement (not bureau_a's: posted to station A).
    "funding:increase_decide": (FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND,
                                FORBIDDEN, FORBIDDEN, NOT_FOUND),
}
POST_CASES = [(n, p, e[i]) for n, e in POST_MATRIX.items() for i, p in enumerate(PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona", "expected"), POST_CASES, ids=[f"{n}-{p}" for n, p, _e in POST_CASES])
def test_post_permission_matrix(world, client_for, url_name, persona, expected):
    from .test_csrf import snapshot

    world.todo = world.todos[persona]
    builder, _expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(world) if builder else None)
    before = snapshot()
    response = client_for(persona).post(url, {})
    assert response.status_code == expected, f"{persona} POST {url}: {response.status_code}, expected {expected}"
    if expected == OK:
        assert response.context["form"].errors
    if expected == FOUND and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


def test_another_users_todo_is_not_found(world, client_for):
    item = TodoItem.objects.create(user=world.users["chief_b"], kind=TodoKind.TASK, title="别人的待办")
    response = client_for("chief_a").post(reverse("stations:todo_done", args=[item.pk]))
    assert response.status_code == NOT_FOUND
    item.refresh_from_db()
    assert item.done_at is None
