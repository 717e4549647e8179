from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations and staff")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # security-event receivers (on import) and the warnings' receivers
        from .dataversion import install_triggers
        from .roles import sync_role_groups_after_migrate

        # After every migrate (all apps' permissions exist by then), bring the role groups in line
        # with stations/roles.py.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="outpost_sync_role_groups")
        # After every migrate (and flush), count writes to any table a migration added.
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="outpost_count_writes")
        signals.connect_warning_receivers()
