"""Load the GB/T 4754-2017 sections and common divisions (data only; see leads/industries.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from leads.industries import DIVISIONS, SECTIONS

    Industry = apps.get_model("leads", "Industry")
    sections = {}
    for code, name, sector in SECTIONS:
        sections[code], _created = Industry.objects.get_or_create(code=code, defaults={"name": name, "sector": sector})
    for code, name, section in DIVISIONS:
        Industry.objects.get_or_create(
            code=f"{section}{code}",
            defaults={"name": name, "sector": sections[section].sector, "parent": sections[section]},
        )


def unload(apps, schema_editor):
    apps.get_model("leads", "Industry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
