"""Seed the nine expense categories of the Shanting rules (seed 002, 经费管理): data, editable in the
admin. The names are the seed's words; the codes are what imports and tests refer to."""

from django.db import migrations

CATEGORIES = [
    ("office", "办公场所租赁及办公设备", ""),
    ("lodging", "住宿费", "lodging"),
    ("intercity_transport", "区间交通费", ""),
    ("local_transport", "市内交通费", ""),
    ("meals", "伙食费", "meals"),
    ("insurance", "保险费", ""),
    ("conference", "参会费", "event"),
    ("reception", "客商接待费", ""),
    ("other", "其他", ""),
]


def seed(apps, schema_editor):
    category = apps.get_model("funding", "ExpenseCategory")
    for position, (code, name, check) in enumerate(CATEGORIES, start=1):
        category.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10, "checked_against": check})


def unseed(apps, schema_editor):
    # Categories already used by entries are protected: the ledger keeps them.
    apps.get_model("funding", "ExpenseCategory").objects.filter(
        code__in=[code for code, _name, _check in CATEGORIES], entries__isnull=True
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0001_ledger"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
