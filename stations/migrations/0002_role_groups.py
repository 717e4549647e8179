"""Create the role groups with their model permissions as they were when this migration was
written (data only). The map is frozen here on purpose: later apps add their permissions in
`stations/roles.py`, which `sync_role_groups` applies after every migrate (post_migrate)."""

from django.db import migrations

ROLE_PERMISSIONS_0002 = {
    "bureau": {
        "stations.unit": ["view"],
        "stations.station": ["view", "add", "change"],
        "stations.stationunit": ["view", "add", "change", "delete"],
        "stations.person": ["view", "add", "change"],
        "stations.posting": ["view", "add", "change"],
        "stations.profile": ["view"],
        "stations.profileversion": ["view"],
    },
    "assessment": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"], "stations.profile": ["view"],
    },
    "third_party_assessor": {"stations.station": ["view"], "stations.posting": ["view"], "stations.profile": ["view"]},
    "leadership": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"], "stations.profile": ["view"],
    },
    "finance": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.posting": ["view"],
        "stations.profile": ["view"],
    },
    "audit": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.posting": ["view"],
        "stations.profile": ["view"],
    },
    "org_department": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"],
    },
    "home_unit": {"stations.station": ["view"], "stations.person": ["view"], "stations.posting": ["view"]},
    "park": {"stations.unit": ["view"]},
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("stations")
    app_config.models_module = True  # a migration's app stub: let create_permissions run
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in ROLE_PERMISSIONS_0002.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for key, actions in models.items():
            app_label, model = key.split(".")
            group.permissions.add(*Permission.objects.filter(
                content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS_0002).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
