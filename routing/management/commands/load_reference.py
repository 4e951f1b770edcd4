from django.core.management import call_command
from django.core.management.base import BaseCommand

from complaints.services.reference import categories_load, channels_load
from officers.services import roles_ensure
from routing.services import areas_load, units_load


class Command(BaseCommand):
    help = (
        "Load DKI Jakarta's areas, units, categories, channels and roles. Safe to run "
        "again: what exists is kept as supervisors edited it (unless --update-areas)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update-areas",
            action="store_true",
            help="Overwrite names, postal codes and boundaries from the shipped file.",
        )

    def handle(self, *args, **options):
        # Loading the areas refreshes caches computed from them: the database cache's
        # table must exist (a no-op when it does).
        call_command("createcachetable")
        for label, counts in (
            ("areas", areas_load(update=options["update_areas"])),
            ("units", units_load()),
            ("channels", channels_load()),
            ("categories", categories_load()),
        ):
            self.stdout.write(
                f"{label}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} kept"
            )
        roles_ensure()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
