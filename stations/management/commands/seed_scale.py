"""Fill an empty database with province-size data (`stations.scale`), for the benchmark."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stations import scale
from stations.models import Station


class Command(BaseCommand):
    help = ("Fill an EMPTY database with N teams and a year of everything they record (set-based inserts). "
            "For the benchmark (bench/README.md); use PostgreSQL.")

    def add_arguments(self, parser):
        parser.add_argument("--stations", type=int, default=1000, help="Number of teams (default 1000).")
        parser.add_argument("--profile", default="shanting", help="Preset to make active (default shanting).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed builds the same data.")
        parser.add_argument("--password", default=scale.DEFAULT_PASSWORD, help="Password of every login created.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on production).")

    def handle(self, *args, stations, profile, seed, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_scale creates known logins; it refuses to run with DEBUG off unless given --force.")
        if stations < 1:
            raise CommandError("--stations must be at least 1.")
        if Station.objects.exists():
            raise CommandError("seed_scale fills an empty database, and this one already has teams.")
        started = time.perf_counter()
        self.stdout.write(f"Building {stations:,} teams under the {profile} preset:")
        with transaction.atomic():
            scale.build(teams=stations, profile_code=profile, password=password, seed=seed, echo=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Done in {time.perf_counter() - started:.0f} s. Logins: "
            + ", ".join(name for name, *_rest in scale.ROLE_LOGINS) + f", scale-chief; password: {password}"))
