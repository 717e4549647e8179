"""A counter of changes to what figures over many leads read (the board's counts, the funnel)."""

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class LeadsVersion(models.Model):
    """One row whose `number` goes up in every transaction that changes a lead or what the
    lead figures read (visits that qualify a lead, enterprise names, tags, the lead rules, team
    names): the version in the cache keys of `leads.selectors`.

    The number is bumped by an UPDATE, whose row lock orders the bumps as their transactions
    commit: once a change is committed, every reader sees a number it never saw before. (The
    newest id or `updated_at` would not do: a long import commits rows older than a lead another
    user filed meanwhile, and several servers' clocks differ.) The row is created on first use.
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
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})
