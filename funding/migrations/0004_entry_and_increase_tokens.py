"""The one-time form tokens of ledger entries and budget increases (a second submit of the same
form finds the first one's row), as expense claims have them.

The ledger is append-only (migration 0003's triggers refuse any UPDATE or DELETE of an entry):
on PostgreSQL a nullable column with no default is added without touching a row, so no trigger
fires; existing entries have no token. A token is written with the entry's INSERT and never
changed. (SQLite, which has no triggers, copies the table over.)
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0003_ledger_append_only_trigger'),
    ]

    operations = [
        migrations.AddField(
            model_name='budgetincrease',
            name='token',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='historicalbudgetincrease',
            name='token',
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='token',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
