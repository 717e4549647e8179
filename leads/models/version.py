"""A counter of changes to what figures over many leads read (the board's counts, the funnel)."""

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class LeadsVersion(models.Model):
    """One row whose `number` goes up after every transaction that changes a lead or what the
    lead figures read (visits that qualify a lead, enterprise names, tags, the lead rules, team
    names): the version in the cache keys of `leads.selectors`.

    The number goes up once the change has committed (`transaction.on_commit`), so a reader who
    sees the new number also sees the change. (The newest id or `updated_at` would not do: a long
    import commits rows older than a lead another user filed meanwhile, and servers' clocks
    differ.) Not inside the transaction: the UPDATE's row lock would make every lead write wait
    for the longest one (an import), and could deadlock with a transaction that locks leads after
    bumping. Between a commit and its bump, a reader may still get the figure cached before it,
    for those few milliseconds. The row is created on first use.
    """

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("leads version")

    def __str__(self):
        return str(self.number)

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("number", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        """Count a change when its transaction commits (at once outside a transaction)."""
        transaction.on_commit(cls._increment)

    @classmethod
    def _increment(cls) -> None:
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})
