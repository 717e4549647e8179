"""Check every invariant of the ledger; exit with status 1 on a breach (for cron and CI)."""

from django.core.management.base import BaseCommand, CommandError

from funding.ledger import verify


class Command(BaseCommand):
    help = (
        "Check the ledger: reversals match their entries, nothing is reversed twice, signs by kind, "
        "balances equal the sum of their entries, no spending past budget + self-funding. "
        "Prints each breach and exits with status 1 if there is any."
    )

    def handle(self, *args, **options):
        result = verify()
        for breach in result.breaches:
            self.stdout.write(f"BREACH {breach}")
        if result.breaches:
            raise CommandError(f"ledger BREACHED: {len(result.breaches)} breach(es) in {result.entries} entries")
        self.stdout.write(f"ledger OK: {result.entries} entries, {result.teams} teams")
