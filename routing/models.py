"""The area tree of DKI Jakarta, the units that work in it, and routing rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """An administrative area (wilayah) with its Kemendagri code."""

    class Level(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KOTA = "kota", _("City / regency")
        KECAMATAN = "kecamatan", _("District (kecamatan)")
        KELURAHAN = "kelurahan", _("Village (kelurahan)")

    code = models.CharField(_("Kemendagri code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lng = models.FloatField(_("centroid longitude"), null=True, blank=True)
    # GeoJSON geometry (MultiPolygon, WGS84). Read into an in-memory spatial index by
    # routing.locator; never queried in SQL.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="provinsi") | models.Q(parent__isnull=False),
                name="area_parent_required_below_province",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of work (unit kerja / SKPD / UKPD) that can handle reports."""

    class Kind(models.TextChoices):
        KELURAHAN = "kelurahan", _("Kelurahan office")
        KECAMATAN = "kecamatan", _("Kecamatan office")
        KOTA = "kota", _("City office")
        DINAS = "dinas", _("Agency (dinas)")
        SUKU_DINAS = "sudin", _("Agency branch (suku dinas)")
        PROVINSI = "provinsi", _("Provincial office")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The unit above: where escalations go (kelurahan → kecamatan → kota,
    # suku dinas → dinas).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("unit above"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area covered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            # One office per area: the kelurahan office is found from the area.
            models.UniqueConstraint(
                fields=["kind", "area"],
                condition=models.Q(kind__in=["kelurahan", "kecamatan", "kota"]),
                name="unit_one_office_per_area",
            ),
            # One branch of an agency per city.
            models.UniqueConstraint(
                fields=["parent", "area"],
                condition=models.Q(kind="sudin"),
                name="unit_one_branch_per_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Sends reports of a category in an area to a unit other than the kelurahan.

    The most specific rule wins (kelurahan over kecamatan over kota over all of
    Jakarta). With no unit, the category's default agency handles the report,
    through its branch (suku dinas) in the report's city when it has one.
    """

    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Leave empty for all of Jakarta."),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
        help_text=_("Leave empty to use the category's default agency."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"], name="routingrule_unique_category_area"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(area__isnull=True),
                name="routingrule_unique_category_citywide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} / {self.area or 'DKI Jakarta'}"
