"""Create the role groups with their model permissions (data only).

Groups say what kind of thing a role may do; where (which teams) comes from postings and units
through `stations.permissions`. Later apps add their own permissions to these groups in their
own data migrations.
"""

from django.db import migrations

# group → {model: [actions]}; "view" everywhere it reads, "add/change" where it writes.
ROLE_PERMISSIONS = {
    "bureau": {
        "unit": ["view"],
        "station": ["view", "add", "change"],
        "stationunit": ["view", "add", "change", "delete"],
        "person": ["view", "add", "change"],
        "posting": ["view", "add", "change"],
        "profile": ["view"],
        "profileversion": ["view"],
    },
    "assessment": {"unit": ["view"], "station": ["view"], "person": ["view"], "posting": ["view"], "profile": ["view"]},
    "third_party_assessor": {"station": ["view"], "posting": ["view"], "profile": ["view"]},
    "leadership": {"unit": ["view"], "station": ["view"], "person": ["view"], "posting": ["view"], "profile": ["view"]},
    "finance": {"unit": ["view"], "station": ["view"], "posting": ["view"], "profile": ["view"]},
    "audit": {"unit": ["view"], "station": ["view"], "posting": ["view"], "profile": ["view"]},
    "org_department": {"unit": ["view"], "station": ["view"], "person": ["view"], "posting": ["view"]},
    "home_unit": {"station": ["view"], "person": ["view"], "posting": ["view"]},
    "park": {"unit": ["view"]},
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; make sure they exist for this app now.
    app_config = apps.get_app_config("stations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="stations", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
