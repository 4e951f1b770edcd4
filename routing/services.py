"""Writes to areas, units and routing rules."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from routing.locator import locator_reset
from routing.models import Area, RoutingRule, Unit
from routing.selectors import kelurahan_boundaries_forget

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVINCE_CODE = "31"
PROVINCE_UNIT_CODE = "PROV-31"


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def short_city_name(name: str) -> str:
    """'Kota Administrasi Jakarta Selatan' → 'Jakarta Selatan'."""
    for prefix in ("Kota Administrasi ", "Kabupaten Administrasi "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def areas_load(*, path: Path | None = None, update: bool = False) -> LoadCounts:
    """Create the area tree from the shipped GeoJSON.

    Existing areas keep what a supervisor edited unless ``update`` is set.
    """
    path = path or DATA_DIR / "jakarta-wilayah.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    order = {Area.Level.KOTA: 0, Area.Level.KECAMATAN: 1, Area.Level.KELURAHAN: 2}
    features.sort(
        key=lambda f: (order[f["properties"]["level"]], f["properties"]["code"])
    )
    counts = LoadCounts()
    with transaction.atomic():
        province, created = Area.objects.get_or_create(
            code=PROVINCE_CODE,
            defaults={"name": "Provinsi DKI Jakarta", "level": Area.Level.PROVINSI},
        )
        counts.created += created
        by_code = {area.code: area for area in Area.objects.all()}
        for feature in features:
            props = feature["properties"]
            lng, lat = props["centroid"]
            values = {
                "name": props["name"],
                "level": props["level"],
                "parent": by_code[props["parent"]],
                "postal_code": props.get("postal_code") or "",
                "centroid_lat": lat,
                "centroid_lng": lng,
                "boundary": feature["geometry"],
            }
            area = by_code.get(props["code"])
            if area is None:
                by_code[props["code"]] = Area.objects.create(
                    code=props["code"], **values
                )
                counts.created += 1
            elif update:
                for field, value in values.items():
                    setattr(area, field, value)
                area.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
        transaction.on_commit(_area_caches_reset)
    _area_caches_reset()
    return counts


def _area_caches_reset() -> None:
    """Drop what was computed from the old boundaries: the point index and the
    public boundary layer."""
    locator_reset()
    kelurahan_boundaries_forget()


def units_load() -> LoadCounts:
    """An office for the province and for every kota, kecamatan and kelurahan, and
    each agency (dinas) with a branch (suku dinas) per kota. Existing units are left
    as they are."""
    counts = LoadCounts()
    agencies = json.loads((DATA_DIR / "agencies.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        existing = set(Unit.objects.values_list("code", flat=True))
        areas = list(Area.objects.order_by("code"))
        by_area: dict[int, Unit] = {}

        def ensure(code: str, **values) -> Unit:
            unit, created = Unit.objects.get_or_create(code=code, defaults=values)
            counts.created += created
            counts.unchanged += code in existing
            return unit

        province_area = next(a for a in areas if a.level == Area.Level.PROVINSI)
        province = ensure(
            PROVINCE_UNIT_CODE,
            name="Pemerintah Provinsi DKI Jakarta",
            kind=Unit.Kind.PROVINSI,
            area=province_area,
        )
        by_area[province_area.id] = province
        kinds = {
            Area.Level.KOTA: (Unit.Kind.KOTA, "KOTA"),
            Area.Level.KECAMATAN: (Unit.Kind.KECAMATAN, "KEC"),
            Area.Level.KELURAHAN: (Unit.Kind.KELURAHAN, "KEL"),
        }
        for area in areas:
            if area.level == Area.Level.PROVINSI:
                continue
            kind, prefix = kinds[area.level]
            names = {
                Area.Level.KOTA: "Pemerintah {}",
                Area.Level.KECAMATAN: "Kecamatan {}",
                Area.Level.KELURAHAN: "Kelurahan {}",
            }
            name = names[area.level].format(area.name)
            by_area[area.id] = ensure(
                f"{prefix}-{area.code}",
                name=name,
                kind=kind,
                area=area,
                parent=by_area[area.parent_id],
            )
        cities = [a for a in areas if a.level == Area.Level.KOTA]
        for agency in agencies["agencies"]:
            dinas = ensure(
                f"DINAS-{agency['code']}",
                name=agency["name"],
                kind=Unit.Kind.DINAS,
                area=province_area,
                parent=province,
            )
            for city in cities:
                ensure(
                    f"SUDIN-{agency['code']}-{city.code}",
                    name=agency["branch_name"].format(kota=short_city_name(city.name)),
                    kind=Unit.Kind.SUKU_DINAS,
                    area=city,
                    parent=dinas,
                )
    return counts


def routing_rule_ensure(
    *, category, area: Area | None = None, unit: Unit | None = None
) -> bool:
    """Create a rule unless one exists for the category and area; True if created."""
    _rule, created = RoutingRule.objects.get_or_create(
        category=category, area=area, defaults={"unit": unit}
    )
    return created
