"""The processes that work out performance facts for ``rebuild_aggregates``.

Spawned afresh (no database connection is shared with the parent), they import
nothing of Django's models until Django is set up in them: the parent reads the
rows and writes the facts, a worker only computes.
"""


def ready() -> None:
    import django

    django.setup()


def compute(read: tuple) -> list[tuple]:
    from transparency.aggregates import facts_compute

    return facts_compute(read)
