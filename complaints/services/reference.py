"""Loads the shipped categories and channels (create missing, keep edits)."""

import json
from pathlib import Path

from django.db import transaction

from complaints.models import Category, Channel
from routing.models import Unit
from routing.services import LoadCounts, routing_rule_ensure

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def channels_load() -> LoadCounts:
    counts = LoadCounts()
    data = json.loads((DATA_DIR / "channels.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        for row in data["channels"]:
            code = row.pop("code")
            _channel, created = Channel.objects.get_or_create(code=code, defaults=row)
            counts.created += created
            counts.unchanged += not created
    return counts


def categories_load() -> LoadCounts:
    """Categories with their default agency; a city-wide routing rule for those that
    go straight to the agency."""
    counts = LoadCounts()
    data = json.loads((DATA_DIR / "categories.json").read_text(encoding="utf-8"))
    agencies = {
        unit.code.removeprefix("DINAS-"): unit
        for unit in Unit.objects.filter(kind=Unit.Kind.DINAS)
    }
    with transaction.atomic():
        for row in data["categories"]:
            code = row.pop("code")
            agency_code = row.pop("default_agency")
            route_to_agency = row.pop("route_to_agency")
            row["default_agency"] = agencies.get(agency_code) if agency_code else None
            category, created = Category.objects.get_or_create(code=code, defaults=row)
            counts.created += created
            counts.unchanged += not created
            if created and route_to_agency and category.default_agency:
                routing_rule_ensure(category=category)
    return counts
