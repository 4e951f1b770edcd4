"""Check the stored photo files against the photo rows."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from complaints.services.photo_audit import GRACE, photo_files_audit


class Command(BaseCommand):
    help = (
        "List the photo files no photo row names (orphans) and the photo rows "
        "whose file is missing from storage. The worker runs this daily and logs "
        "what it finds; --delete-orphans also removes the orphans."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Delete the orphan files found.",
        )
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=int(GRACE.total_seconds() // 60),
            help="Leave out files younger than this (an intake may still commit "
            "them). Default: %(default)s.",
        )

    def handle(self, *args, **options):
        audit = photo_files_audit(
            delete_orphans=options["delete_orphans"],
            grace=timedelta(minutes=options["grace_minutes"]),
        )
        for name in audit.orphans:
            self.stdout.write(f"orphan  {name}")
        for name in audit.missing:
            self.stdout.write(f"missing {name}")
        figures = audit.as_dict()
        line = ", ".join(
            f"{key.replace('_', ' ')}: {value}" for key, value in figures.items()
        )
        style = (
            self.style.ERROR if audit.orphans or audit.missing else self.style.SUCCESS
        )
        self.stdout.write(style(line))
