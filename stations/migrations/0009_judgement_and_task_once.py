"""A judgement or a dispatch task is recorded once (double submits made two).

Rows already doubled would stop the constraints from being added, so each later copy is first
told apart, without deleting anything: a task's description and a judgement's warning key get
the copy's id appended (the records, their history and their to-dos stay as they were, for the
bureau to see which are copies).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def _tell_copies_apart(model, fields, field, apps):
    Model = apps.get_model("stations", model)
    limit = Model._meta.get_field(field).max_length
    doubled = Model.objects.values(*fields).annotate(n=Count("pk")).filter(n__gt=1)
    for group in doubled:
        group.pop("n")
        for copy in Model.objects.filter(**group).order_by("pk")[1:]:
            suffix = f" #{copy.pk}"
            value = getattr(copy, field)
            setattr(copy, field, ((value[:limit - len(suffix)] if limit else value) + suffix).strip())
            copy.save(update_fields=[field])


def tell_copies_apart(apps, schema_editor):
    _tell_copies_apart("AccountabilityRecord", ["person", "station", "kind", "office", "decided_on", "warning_key"],
                       "warning_key", apps)
    _tell_copies_apart("DispatchTask", ["meeting", "station", "description"], "description", apps)


class Migration(migrations.Migration):

    dependencies = [
        ('stations', '0008_report_waiting_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(tell_copies_apart, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='accountabilityrecord',
            constraint=models.UniqueConstraint(fields=('person', 'station', 'kind', 'office', 'decided_on', 'warning_key'), name='accountability_record_once', violation_error_code='accountability_record_once', violation_error_message='This decision is already recorded.'),
        ),
        migrations.AddConstraint(
            model_name='dispatchtask',
            constraint=models.UniqueConstraint(fields=('meeting', 'station', 'description'), name='dispatch_task_once', violation_error_code='dispatch_task_once', violation_error_message='This task is already given to this team at this meeting.'),
        ),
    ]
