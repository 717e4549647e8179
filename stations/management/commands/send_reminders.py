from django.core.management.base import BaseCommand

from stations.services import todo_refresh_all_term_endings
from stations.warnings import send_reminders


class Command(BaseCommand):
    help = ("Put every unhandled warning in the to-do lists of the people who must act, close the reminders "
            "whose warning is gone, and e-mail each person the new ones (where EMAIL_URL is configured). "
            "Also refreshes posting-term reminders. Run daily, e.g. from cron at 07:00.")

    def handle(self, *args, **options):
        todo_refresh_all_term_endings()
        result = send_reminders()
        self.stdout.write(
            f"{result['warnings']} unhandled warning(s); {result['opened']} reminder(s) opened, "
            f"{result['closed']} closed; {result['mailed']} person(s) e-mailed.")
