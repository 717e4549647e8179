"""Role groups and their model permissions, as data.

Groups say *what kind* of thing a role may do; *where* comes from postings and units through
`stations.permissions`. `sync_role_groups` is idempotent: it runs after every `migrate`
(post_migrate), and from `manage.py sync_roles` and the test fixtures.
"""

# The funding records the offices that supervise money may read in the admin (all read-only there;
# money moves through the funding pages).
FUNDING_READ = {f"funding.{model}": ["view"] for model in (
    "expensecategory", "fundingrule", "travelstandard", "budget", "ledgerentry", "expenseclaim", "budgetincrease",
    "yearclose", "recovery")}

# group name → {"app_label.model": [actions]}
ROLE_PERMISSIONS = {
    "bureau": {
        "stations.unit": ["view"],
        "stations.station": ["view", "add", "change"],
        "stations.stationunit": ["view", "add", "change", "delete"],
        "stations.person": ["view", "add", "change"],
        "stations.posting": ["view", "add", "change"],
        "stations.profile": ["view"],
        "stations.profileversion": ["view"],
        **FUNDING_READ,
    },
    "assessment": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"], "stations.profile": ["view"],
    },
    "third_party_assessor": {"stations.station": ["view"], "stations.posting": ["view"], "stations.profile": ["view"]},
    "leadership": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"], "stations.profile": ["view"], **FUNDING_READ,
    },
    "finance": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.posting": ["view"],
        "stations.profile": ["view"], **FUNDING_READ,
    },
    "audit": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.posting": ["view"],
        "stations.profile": ["view"], **FUNDING_READ,
    },
    "org_department": {
        "stations.unit": ["view"], "stations.station": ["view"], "stations.person": ["view"],
        "stations.posting": ["view"],
    },
    "home_unit": {"stations.station": ["view"], "stations.person": ["view"], "stations.posting": ["view"]},
    "park": {"stations.unit": ["view"]},
}


def sync_role_groups_after_migrate(sender, app_config=None, **kwargs):
    # post_migrate fires once per app: run once, for this app; sync_role_groups creates any
    # missing permission of the apps it names itself, whatever order the apps migrate in.
    if app_config is not None and app_config.label == "stations":
        sync_role_groups()


def sync_role_groups(apps=None):
    """Create the role groups and give each exactly the permissions listed above.

    `apps` is a migration's historical app registry, or None for the current models.
    """
    if apps is None:
        from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_label in {key.split(".")[0] for models in ROLE_PERMISSIONS.values() for key in models}:
        # Permissions are normally created after migrate; make sure they exist now.
        app_config = apps.get_app_config(app_label)
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True  # a migration's app stub: let create_permissions run
        create_permissions(app_config, verbosity=0, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, models in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=group_name)
        wanted = []
        for key, actions in models.items():
            app_label, model = key.split(".")
            wanted += list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
                )
            )
        group.permissions.set(wanted)
