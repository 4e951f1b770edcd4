"""Public reference lists through the API: the categories a report may have, with
their service levels, and the channels reports come through.

Readable without a key (the anonymous rate limit applies) and with any valid key.
Both lists are short and come whole, without pages.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, viewsets
from rest_framework.permissions import AllowAny

from complaints.models import Category, Channel
from config.api import PUBLIC_REFUSALS, code_parameter, not_found


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="display_name",
        read_only=True,
        help_text=_("In English when the request asks for it, else in Indonesian."),
    )
    default_agency = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The code of the agency (dinas) whose branch handles the category's "
            "reports where a routing rule says so; null if none."
        ),
    )

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "description",
            "response_hours",
            "completion_days",
            "default_agency",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "response_hours": {
                "help_text": _("A first response is due within this many hours.")
            },
            "completion_days": {
                "help_text": _("The report is due to be done within this many days.")
            },
        }


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["code", "name", "carries_gps", "is_offline"]
        read_only_fields = fields
        extra_kwargs = {
            "carries_gps": {"help_text": _("Its reports come with the GPS point.")},
            "is_offline": {
                "help_text": _(
                    "Desks, phone, letters, mass media: officers type its reports in."
                )
            },
        }


@extend_schema_view(
    list=extend_schema(
        summary=_("Report categories and their service levels"),
        description=_("The active categories, in the order the forms offer them."),
        responses={200: CategorySerializer(many=True), **PUBLIC_REFUSALS},
    ),
    retrieve=extend_schema(
        summary=_("One report category"),
        parameters=[code_parameter(_("The category's code."))],
        responses={
            200: CategorySerializer,
            **not_found(_("No active category has this code.")),
            **PUBLIC_REFUSALS,
        },
    ),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """A category with its service levels: the hours to a first response and the
    days to done, counted from receipt."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    queryset = Category.objects.filter(is_active=True).select_related("default_agency")


@extend_schema(
    summary=_("Channels reports come through"),
    description=_("The active channels, in the order the forms offer them."),
    responses={200: ChannelSerializer(many=True), **PUBLIC_REFUSALS},
)
class ChannelListAPI(generics.ListAPIView):
    """The channels reports come through, online and offline."""

    permission_classes = [AllowAny]
    serializer_class = ChannelSerializer
    pagination_class = None
    filter_backends = []
    queryset = Channel.objects.filter(is_active=True)
