"""`seed_scale` builds consistent province-size data: the same rules hold as for data entered by
hand (one log a day, the profile's stages with their facts, a ledger within its ceilings)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from funding import ledger
from funding.models import Budget, ExpenseClaim, LedgerEntry, YearClose
from leads.models import Enterprise, InvestorVisit, LogMention, Stage, StageChange
from leads.models.enterprises import validate_credit_code
from leads.models.rules import PIPELINE
from leads.scale import LEADS_PER_TEAM
from leads.services import rules_for, visit_qualifies
from scoring.models import Evaluation
from stations.models import Posting, Profile, Report, ReportStatus, Station, WorkLog
from stations.scale import DEFAULT_PASSWORD

TEAMS = 3


@pytest.fixture
def built(db, settings):
    settings.DEBUG = True
    call_command("seed_scale", stations=TEAMS, verbosity=0)


def test_teams_people_and_logins(built, client):
    assert Station.objects.count() == TEAMS
    assert Profile.objects.active().get().code == "shanting"
    for station in Station.objects.all():
        current = station.postings.current()
        assert current.chiefs().count() == 1
        assert 2 <= current.count() <= 4
        assert station.postings.filter(ended_on__isnull=False).count() == 2
    # The documented logins have the documented password, and the bureau's home page opens.
    bureau = get_user_model().objects.get(username="scale-bureau")
    assert bureau.check_password(DEFAULT_PASSWORD) and bureau.groups.filter(name="bureau").exists()
    client.force_login(bureau)
    assert client.get(reverse("stations:home")).status_code == 200
    chief = get_user_model().objects.get(username="scale-chief")
    assert chief.check_password(DEFAULT_PASSWORD)
    assert Posting.objects.current().chiefs().filter(person__user=chief).exists()


def test_a_year_of_logs_for_everyone_posted(built):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for posting in Posting.objects.current():
        logs = WorkLog.objects.filter(person=posting.person)
        first = max(posting.start_date, yesterday - datetime.timedelta(days=364))
        days = (yesterday - first).days + 1
        # Every day up to yesterday, less the few not logged; never after yesterday.
        assert 0.9 * days <= logs.count() <= days
        assert logs.aggregate(last=Max("date"))["last"] <= yesterday
    assert LogMention.objects.count() > 0


def test_leads_cover_every_stage_with_their_facts(built):
    from leads.models import Lead

    leads = Lead.objects.all()
    assert leads.count() == TEAMS * LEADS_PER_TEAM
    skipped = set(rules_for().skipped_stages or ())
    used = {stage for stage in Stage if stage not in skipped}
    assert set(leads.values_list("stage", flat=True)) == used
    for lead in leads.filter(stage__in=[Stage.SIGNED, Stage.STARTED, Stage.PRODUCTION]):
        assert lead.signed_on and lead.contract_amount
    assert not leads.filter(stage=Stage.PRODUCTION, production_on__isnull=True).exists()
    assert not leads.filter(stage=Stage.TRANSFERRED, transferred_to__isnull=True).exists()
    # Each lead's last stage change is its stage, and the changes follow the pipeline's order.
    for lead in leads.prefetch_related("stage_changes")[:200]:
        changes = list(lead.stage_changes.all())
        assert changes[0].to_stage == Stage.FILED and changes[-1].to_stage == lead.stage
        forward = [change.to_stage for change in changes if change.to_stage in PIPELINE]
        assert forward == sorted(forward, key=PIPELINE.index)
        assert all(change.at <= lead.updated_at for change in changes)
    assert StageChange.objects.filter(at__date__gte=timezone.localdate()).count() == 0
    # Nothing is dated after today began; qualifying visits meet the profile's rule; credit codes
    # carry their check character (the admin's edit form validates them).
    assert not InvestorVisit.objects.filter(date__gte=timezone.localdate()).exists()
    rules = rules_for()
    assert all(visit.qualifies == visit_qualifies(visit, rules)
               for visit in InvestorVisit.objects.select_related("lead__enterprise")[:300])
    for code in Enterprise.objects.exclude(credit_code="").values_list("credit_code", flat=True)[:300]:
        validate_credit_code(code)


def test_the_ledger_keeps_its_invariants(built):
    assert LedgerEntry.objects.count() >= TEAMS * 95
    assert list(ledger.verify().breaches) == []
    year = timezone.localdate().year
    assert Budget.objects.filter(year=year).count() == TEAMS
    assert YearClose.objects.filter(year=year - 1).count() == TEAMS
    # Every paid claim is posted once; two claims wait per team.
    paid = ExpenseClaim.objects.filter(entry__isnull=False)
    assert paid.count() == LedgerEntry.objects.filter(kind="expense").count()
    assert ExpenseClaim.objects.filter(status="pending").count() == 2 * TEAMS
    assert paid.annotate(steps=Count("decisions")).filter(steps=0).count() == 0


def test_reports_and_scores(built):
    accepted = Report.objects.filter(status=ReportStatus.ACCEPTED)
    assert accepted.count() >= TEAMS * 10
    assert all(report.reviews_count == 1 for report in accepted.annotate(reviews_count=Count("versions__review")))
    assert all(report.figures for report in Report.objects.all())
    people = Posting.objects.current().values("person").distinct().count()
    assert Evaluation.objects.filter(person__isnull=False).values("person").distinct().count() >= people


@pytest.mark.django_db
def test_refuses_a_database_with_teams_and_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", stations=1)
    settings.DEBUG = True
    Station.objects.create(name="已有团队", code="X1", kind="resident_station")
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_scale", stations=1)
    assert Station.objects.count() == 1
