"""Recompute the public map's cell counts from the reports table."""

import time

from django.core.management.base import BaseCommand

from complaints.models import MapCell
from complaints.services.map_cells import map_cells_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the public map's cell counts (complaints.MapCell) from the "
        "reports, set-based. Run after loading reports in bulk (COPY, bulk_create): "
        "only the services that file and move reports keep the counts current."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when there are no counts yet.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and MapCell.objects.exists():
            self.stdout.write("Map cell counts already present: nothing to do.")
            return
        started = time.monotonic()
        rows = map_cells_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Map cell counts rebuilt: {rows} rows "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
