import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stations.models import SecurityEvent

MINIMUM_DAYS = 180  # MLPS 2.0 asks for at least six months of security logs.


class Command(BaseCommand):
    help = "Delete security events older than --days (default SECURITY_EVENT_RETENTION_DAYS, at least 180)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days, **options):
        days = settings.SECURITY_EVENT_RETENTION_DAYS if days is None else days
        if days < MINIMUM_DAYS:
            raise CommandError(f"Security events must be kept at least {MINIMUM_DAYS} days (asked: {days}).")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted, _by_model = SecurityEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} security events older than {days} days.")
