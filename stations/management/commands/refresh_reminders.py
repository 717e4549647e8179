from django.core.management.base import BaseCommand

from stations.services import todo_refresh_all_term_endings


class Command(BaseCommand):
    help = "Open and close the to-do reminders that depend on the date (posting terms ending). Run daily."

    def handle(self, *args, **options):
        todo_refresh_all_term_endings()
        self.stdout.write("Reminders refreshed.")
