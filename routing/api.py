"""Public reference data through the API: the areas of Jakarta with their
boundaries (GeoJSON) and the units that handle reports.

Readable without a key (the anonymous rate limit applies) and with any valid key.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.api import (
    BAD_INPUT,
    PUBLIC_REFUSALS,
    CheckedPageNumbers,
    ErrorSerializer,
    code_parameter,
    not_found,
)
from routing.models import Area, Unit
from routing.selectors import boundary_geometry

NO_PAGE = {
    404: OpenApiResponse(ErrorSerializer, description=_("A page past the last."))
}


class FeaturePages(CheckedPageNumbers):
    """A page of features is itself a GeoJSON FeatureCollection, with the page
    links and the total count as extra members."""

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["type", "count", "next", "previous", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "count": {"type": "integer"},
                "next": link,
                "previous": link,
                "features": schema,
            },
        }


class ListFiltersOnly:
    """The filters narrow the list; a single object is found by its code alone."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


# -- areas -------------------------------------------------------------------


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=Area.Level.choices, help_text=_("The area's level.")
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent area"),
        queryset=Area.objects.only("id", "code"),
        to_field_name="code",
        help_text=_("The Kemendagri code of the area directly above."),
    )
    q = django_filters.CharFilter(
        label=_("Name"),
        field_name="name",
        lookup_expr="icontains",
        help_text=_("Part of the area's name, in any case."),
    )

    class Meta:
        model = Area
        fields = ["level", "parent", "q"]


class GeometrySerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Polygon or MultiPolygon."))
    coordinates = serializers.JSONField(
        help_text=_("Longitude, latitude pairs (WGS84), to 5 decimals.")
    )


class AreaPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Kemendagri code."))
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Area.Level.choices)
    parent = serializers.CharField(
        source="parent.code",
        allow_null=True,
        help_text=_("The code of the area directly above; none for the province."),
    )
    kota = serializers.SerializerMethodField(
        help_text=_("The name of the city the area is in (or is).")
    )
    kecamatan = serializers.SerializerMethodField(
        help_text=_("The name of the kecamatan the area is in (or is).")
    )

    @staticmethod
    def _named(area: Area, level: str) -> str | None:
        while area is not None:
            if area.level == level:
                return area.name
            area = area.parent
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kota(self, area: Area) -> str | None:
        return self._named(area, Area.Level.KOTA)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kecamatan(self, area: Area) -> str | None:
        return self._named(area, Area.Level.KECAMATAN)


class AreaFeatureSerializer(serializers.Serializer):
    """An area as a GeoJSON Feature: its code is the feature's id."""

    type = serializers.SerializerMethodField()
    id = serializers.CharField(source="code")
    properties = AreaPropertiesSerializer(source="*")
    geometry = serializers.SerializerMethodField(
        help_text=_("The boundary; null for an area without one.")
    )

    @extend_schema_field({"type": "string", "enum": ["Feature"]})
    def get_type(self, area: Area) -> str:
        return "Feature"

    @extend_schema_field(GeometrySerializer(allow_null=True))
    def get_geometry(self, area: Area) -> dict | None:
        return boundary_geometry(area.boundary)


@extend_schema_view(
    list=extend_schema(
        summary=_("Areas with their boundaries (GeoJSON)"),
        description=_(
            "The areas of DKI Jakarta (province, cities, kecamatan, kelurahan) as "
            "a GeoJSON FeatureCollection, by code, a page at a time: `count`, "
            "`next` and `previous` are members of the collection."
        ),
        responses={
            200: AreaFeatureSerializer(many=True),
            **BAD_INPUT,
            **NO_PAGE,
            **PUBLIC_REFUSALS,
        },
    ),
    retrieve=extend_schema(
        summary=_("One area with its boundary (a GeoJSON Feature)"),
        parameters=[code_parameter(_("The area's Kemendagri code."))],
        responses={
            200: AreaFeatureSerializer,
            **not_found(_("No area has this code.")),
            **PUBLIC_REFUSALS,
        },
    ),
)
class AreaViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet):
    """An area as a GeoJSON Feature: its code is the feature's id, its boundary
    the geometry (null for an area without one)."""

    permission_classes = [AllowAny]
    serializer_class = AreaFeatureSerializer
    pagination_class = FeaturePages
    filterset_class = AreaFilter
    lookup_field = "code"
    # The city and kecamatan names come from the parents; their own boundaries
    # are never needed.
    queryset = (
        Area.objects.select_related("parent__parent")
        .defer(
            "postal_code",
            "centroid_lat",
            "centroid_lng",
            "parent__boundary",
            "parent__postal_code",
            "parent__centroid_lat",
            "parent__centroid_lng",
            "parent__parent__boundary",
            "parent__parent__postal_code",
            "parent__parent__centroid_lat",
            "parent__parent__centroid_lng",
        )
        .order_by("code")
    )


# -- units -------------------------------------------------------------------


class UnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Unit.Kind.choices)
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.only("id", "code"),
        to_field_name="code",
        help_text=_("The Kemendagri code of the area the unit covers."),
    )

    class Meta:
        model = Unit
        fields = ["kind", "area"]


class UnitSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The Kemendagri code of the area it covers."),
    )
    parent = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The code of the unit above (where escalations go)."),
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "area", "parent", "active"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("Units that handle reports"),
        responses={
            200: UnitSerializer(many=True),
            **BAD_INPUT,
            **NO_PAGE,
            **PUBLIC_REFUSALS,
        },
    ),
    retrieve=extend_schema(
        summary=_("One unit"),
        parameters=[code_parameter(_("The unit's code."))],
        responses={
            200: UnitSerializer,
            **not_found(_("No unit has this code.")),
            **PUBLIC_REFUSALS,
        },
    ),
)
class UnitViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet):
    """The units of work (kelurahan, kecamatan and city offices, agencies and
    their branches) that reports are routed to, closed ones marked inactive."""

    permission_classes = [AllowAny]
    serializer_class = UnitSerializer
    pagination_class = CheckedPageNumbers
    filterset_class = UnitFilter
    lookup_field = "code"
    queryset = (
        Unit.objects.select_related("area", "parent")
        .only(
            "code",
            "name",
            "kind",
            "is_active",
            "area",
            "area__code",
            "parent",
            "parent__code",
        )
        .order_by("code")
    )
