from django.core.management.base import BaseCommand

from stations.models import Profile
from stations.services import presets_install


class Command(BaseCommand):
    help = "Install the shipped policy-profile presets (DESIGN §3); --activate CODE makes one active."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Reset existing presets to the shipped data.")
        parser.add_argument("--activate", metavar="CODE", help="Activate this profile if none is active.")

    def handle(self, *args, update, activate, **options):
        profiles = presets_install(update=update)
        self.stdout.write(f"{len(profiles)} presets installed: " + ", ".join(p.code for p in profiles))
        if activate and not Profile.objects.active().exists():
            profile = Profile.objects.get(code=activate)
            profile.is_active = True
            profile._change_reason = "load_presets --activate"
            profile.save(update_fields=["is_active"])
            self.stdout.write(f"Activated {activate}.")
