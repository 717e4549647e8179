from django.core.management.base import BaseCommand

from stations.roles import ROLE_PERMISSIONS, sync_role_groups


class Command(BaseCommand):
    help = "Create the role groups and set their model permissions from stations/roles.py (idempotent)."

    def handle(self, *args, **options):
        sync_role_groups()
        self.stdout.write(f"{len(ROLE_PERMISSIONS)} role groups in sync.")
