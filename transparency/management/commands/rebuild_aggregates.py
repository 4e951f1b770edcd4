"""Recompute the statistics cells and the performance facts from the reports."""

import os
import time

from django.core.management.base import BaseCommand

from complaints.models import Report
from transparency.aggregates import REBUILD_BATCH, aggregates_rebuild
from transparency.models import StatsEntry


class Command(BaseCommand):
    help = (
        "Recompute the public statistics' cells and the units' performance facts "
        "(transparency.aggregates) from the reports, their custody periods, "
        "timelines, audits and ratings. Run after loading reports in bulk (COPY, "
        "bulk_create): only the services keep them current. The pages that read "
        "them wait until it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only when reports exist and none is counted yet (a database "
            "filled before the counted tables existed).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=REBUILD_BATCH,
            help="Reports per batch of performance facts (default %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processes working out the performance facts (default: the "
            "number of processors, at most 4).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and (
            StatsEntry.objects.exists() or not Report.objects.exists()
        ):
            self.stdout.write("Aggregates already present: nothing to do.")
            return
        started = time.monotonic()

        def progress(message: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {message}")

        counts = aggregates_rebuild(
            batch=max(1, options["batch"]),
            workers=max(1, options["workers"]),
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Aggregates rebuilt in {time.monotonic() - started:.1f} s: "
                f"{counts.entries} reports in {counts.cells} statistics cells "
                f"({counts.rating_cells} with ratings), "
                f"{counts.facts} performance facts."
            )
        )
