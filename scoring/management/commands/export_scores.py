"""`manage.py export_scores --year 2025 [--period year|h1|q1..q4] --output scores.xlsx`.

Writes the same score sheets as the download on the ranking page (`scoring.exports`), with every
evaluation of the period, the marking naming the command instead of a user.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.boards import PERIOD_LABELS, PERIODS, period_dates, ranking, schemes_of_year
from scoring.exports import score_workbook
from scoring.models import Evaluation

FIRST_YEAR = 2000


class Command(BaseCommand):
    help = "Write a period's score sheets (summary and one sheet per subject) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the year, e.g. 2025")
        parser.add_argument("--period", default="year", choices=list(PERIODS),
                            help="the year (default), the first half or a quarter")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, year, period, output, **options):
        this_year = timezone.localdate().year
        if not FIRST_YEAR <= year <= this_year:
            raise CommandError(_("The year must be between %(first)s and %(last)s.")
                               % {"first": FIRST_YEAR, "last": this_year})
        path = Path(output)
        if path.is_dir() or not path.parent.is_dir():
            raise CommandError(_("Cannot write %(path)s: not a file in an existing folder.") % {"path": path})
        schemes = list(schemes_of_year(year))
        if not schemes:
            raise CommandError(_("No scoring scheme is in force in %(year)s.") % {"year": year})
        first, last = period_dates(year, period)
        boards = [ranking(visible=Evaluation.objects.all(), scheme=scheme, period=period, first=first, last=last)
                  for scheme in schemes]
        title = f"{year} {dict(PERIOD_LABELS)[period]}"  # as on the download of the ranking page
        content = score_workbook(boards=boards, title=title, user=None, now=timezone.localtime())
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": error.strerror}) \
                from error
        self.stdout.write(_("%(count)s subject(s) of %(schemes)s scheme(s) written to %(path)s.") % {
            "count": sum(len(board["rows"]) for board in boards), "schemes": len(boards), "path": path})
