"""The in-app to-do list (待办): things a person must act on, opened and closed by services.

Later capabilities open items for approvals, reminders and returned reports. An item points at
the object it is about through (content type, object id) and at the page where the user acts.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TodoKind(models.TextChoices):
    TERM_ENDING = "term_ending", _("Posting term ending")
    APPROVAL = "approval", _("Approval")
    REMINDER = "reminder", _("Reminder")
    RETURNED = "returned", _("Returned for changes")
    TASK = "task", _("Task")


# Items that stand for work the system sees done (a decision taken, a returned report sent again,
# a task reported back) close themselves then; dismissing one by hand would lose the work.
TRACKED_KINDS = frozenset({TodoKind.APPROVAL, TodoKind.RETURNED, TodoKind.TASK})


class TodoQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class TodoItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todo_items")
    kind = models.CharField(_("kind"), max_length=20, choices=TodoKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Tells apart several reminders about one target (a person away and without progress).
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = TodoQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_date", "-created_at"]
        verbose_name = _("to-do item")
        verbose_name_plural = _("to-do items")
        constraints = [
            # Refreshing reminders twice must not list the same thing twice.
            models.UniqueConstraint(
                fields=["user", "kind", "target_type", "target_id", "key"],
                condition=Q(done_at__isnull=True),
                name="todo_one_open_item_per_target",
            )
        ]
        indexes = [models.Index(fields=["user", "done_at"], name="todo_user_open")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url

    @property
    def closes_itself(self) -> bool:
        """Whether the item closes once its work is done (and cannot be marked done by hand)."""
        return self.kind in TRACKED_KINDS and self.target_id is not None
