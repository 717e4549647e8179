"""The pages users wait on, as the benchmark requests them: a label, who asks, and the URL.

Each URL is built from the database once, before any timing (`resolve`), so the lookups never
count. The all-teams pages are asked by the bureau, which reads every team: the heaviest case.
The ranking board and the score sheet are asked by leadership, who approves and downloads them
(`scoring.views.evaluation_export`: the offices that read every team). The lead detail and the
ledger are the chief's team's, asked by the bureau (which reads every team's leads and money).

The two trivial views exist only in `bench.urls`: the framework's floor, without and with a
logged-in session, against which the pages are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from leads.models import EXITS, PIPELINE

# Who asks, by the key of the logins given to bench/run.py ("anonymous" sends no cookie).
ANONYMOUS, BUREAU, LEADER, ASSESSOR, CHIEF = "anonymous", "bureau", "leader", "assessor", "chief"
USER_KEYS = (BUREAU, LEADER, ASSESSOR, CHIEF)


class PageSetupError(Exception):
    """The data lacks what a page needs (no posting for the chief, no lead in the team …)."""


@dataclass
class Lookups:
    """The users (by key) and the facts the URLs are built from, each looked up once."""

    users: dict  # key → User

    @cached_property
    def year(self) -> int:
        return timezone.localdate().year

    @cached_property
    def team(self):
        """The chief's team: the first team the chief is currently posted to."""
        from stations.models import Posting

        posting = (Posting.objects.active().filter(person__user=self.users[CHIEF])
                   .select_related("station").order_by("station_id").first())
        if posting is None:
            raise PageSetupError(f"{self.users[CHIEF].get_username()} has no active posting: no team to measure")
        return posting.station

    @cached_property
    def busy_lead(self):
        """The chief's team's lead with the most stage changes, investor visits and funds."""
        from leads.models import Lead

        lead = (Lead.objects.filter(station=self.team)
                .annotate(n=Count("stage_changes", distinct=True) + Count("investor_visits", distinct=True)
                          + Count("funds", distinct=True))
                .order_by("-n", "-pk").first())
        if lead is None:
            raise PageSetupError(f"team {self.team} has no lead")
        return lead

    @cached_property
    def lead_filters(self) -> dict:
        """A search a bureau user would type: the commonest stage, and the first two characters
        of the newest title in it (a text search cannot use an index: the costly case)."""
        from leads.models import Lead

        row = (Lead.objects.countable().values("stage").annotate(n=Count("pk")).order_by("-n", "stage").first())
        if row is None:
            raise PageSetupError("no lead at all")
        newest = Lead.objects.countable().filter(stage=row["stage"]).order_by("-filed_at", "-pk").first()
        return {"stage": row["stage"], "q": newest.title[:2]}


def _url(name, *args, **query) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class Page:
    label: str
    user: str  # a key of USER_KEYS, or ANONYMOUS
    url: Callable[[Lookups], str]
    download: bool = False  # timed with a fixed small number of requests
    # A query the page runs a fixed number of times whatever the data (not one per row): the
    # board asks for each stage's newest leads, one query per stage of the pipeline and its exits.
    fixed_repeats: int = 0


PAGES = [
    Page("trivial", ANONYMOUS, lambda _: "/bench/trivial/"),
    Page("trivial, logged in", BUREAU, lambda _: "/bench/trivial-user/"),
    # The lightest real page: the navigation, the permission checks behind it and an empty list.
    # What no page can go below, and so what any page's figures should be read against.
    Page("to-do list (empty)", BUREAU, lambda _: _url("stations:todo_list")),
    Page("bureau home", BUREAU, lambda _: _url("stations:home")),
    Page("review queue", BUREAU, lambda _: _url("stations:review_queue")),
    Page("lead list", BUREAU, lambda _: _url("leads:list")),
    Page("lead list, stage + search", BUREAU, lambda db: _url("leads:list", **db.lead_filters)),
    Page("lead list, one team", BUREAU, lambda db: _url("leads:list", station=db.team.pk)),
    Page("lead board", BUREAU, lambda _: _url("leads:board"), fixed_repeats=len(PIPELINE) + len(EXITS)),
    Page("funnel", BUREAU, lambda _: _url("leads:funnel")),
    Page("lead detail", BUREAU, lambda db: _url("leads:detail", db.busy_lead.pk)),
    Page("ranking board", LEADER, lambda db: _url("scoring:evaluation_list", year=db.year, period="year")),
    Page("station ledger", BUREAU, lambda db: _url("funding:station", db.team.pk, year=db.year)),
    Page("warnings", BUREAU, lambda _: _url("stations:warning_list")),
    Page("score sheet (xlsx)", LEADER, lambda db: _url("scoring:evaluation_export", year=db.year, period="year"),
         download=True),
    Page("ledger (xlsx)", BUREAU, lambda db: _url("funding:ledger_export", db.team.pk, year=db.year), download=True),
]
FLOOR, FLOOR_USER = PAGES[0].label, PAGES[1].label


def select(patterns: list[str]) -> list[Page]:
    """The pages whose label contains one of `patterns` (all when empty); the two trivial views
    always, since every other page is compared with them."""
    chosen = [page for page in PAGES if page.label in (FLOOR, FLOOR_USER)
              or not patterns or any(pattern.lower() in page.label.lower() for pattern in patterns)]
    if len(chosen) == 2 and patterns:
        raise PageSetupError(f"no page label matches {patterns}; labels: {[page.label for page in PAGES]}")
    return chosen


def resolve(pages: list[Page], users: dict) -> list[tuple[Page, str]]:
    """Each page with its URL, built from the database now (before any timing)."""
    lookups = Lookups(users)
    return [(page, page.url(lookups)) for page in pages]
