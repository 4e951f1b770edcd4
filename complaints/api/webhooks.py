"""An integrator's webhooks: /api/v1/webhooks/ and its delivery log.

How deliveries are signed and retried: complaints.services.webhooks.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.models import Webhook, WebhookAttempt, WebhookDelivery
from complaints.permissions import IsActiveIntegrator
from complaints.selectors import deliveries_of, webhooks_of
from complaints.services.webhooks import (
    URL_MAX,
    delivery_body,
    webhook_delete,
    webhook_register,
    webhook_update,
)
from config.api import REFUSALS, UNREADABLE_BODY, field_errors, not_found

TAG = "webhooks"


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = ["id", "url", "is_active", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(serializers.ModelSerializer):
    """A webhook just registered, with the signing secret: shown only this once."""

    class Meta:
        model = Webhook
        fields = ["id", "url", "is_active", "created_at", "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=URL_MAX,
        help_text=_("Where to POST the events: an https:// URL."),
    )


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=URL_MAX, required=False)
    is_active = serializers.BooleanField(
        required=False, help_text=_("false: no more events are sent to it.")
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One event sent to the webhook, with every try."""

    type = serializers.SerializerMethodField()
    payload = serializers.SerializerMethodField()
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "type",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    def get_type(self, delivery: WebhookDelivery) -> str:
        return delivery.payload.get("type", "")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, delivery: WebhookDelivery) -> dict:
        """The JSON body as it was POSTed."""
        return delivery_body(delivery)


class WebhookFieldErrorsSerializer(serializers.Serializer):
    """What was wrong with the request, by field."""

    url = serializers.ListField(child=serializers.CharField(), required=False)
    is_active = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False
    )


ERRORS = REFUSALS
NOT_FOUND = not_found(_("No such webhook of this integrator's."))
BAD_INPUT = {400: WebhookFieldErrorsSerializer}
WEBHOOK_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The webhook's id.")
)


class WebhookListAPI(generics.ListAPIView):
    """The integrator's webhooks; POST registers another."""

    permission_classes = [IsActiveIntegrator]
    serializer_class = WebhookSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return webhooks_of(self.request.user.integrator)

    @extend_schema(
        tags=[TAG],
        summary=_("List your webhooks"),
        description=_("Your webhooks, oldest first. Their secrets are not shown."),
        responses={200: WebhookSerializer(many=True), **NOT_FOUND, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary=_("Register a webhook"),
        description=_(
            "Every status change of a report you may read is POSTed to the URL, "
            "signed with the secret in this answer (X-Warga-Signature: "
            "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>). The "
            "secret is shown only here: keep it."
        ),
        request=WebhookCreateSerializer,
        responses={
            201: WebhookCreatedSerializer,
            **BAD_INPUT,
            **UNREADABLE_BODY,
            **ERRORS,
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = WebhookCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            webhook = webhook_register(
                actor=request.user, url=incoming.validated_data["url"]
            )
        except ValidationError as exc:
            raise field_errors(exc) from exc
        return Response(
            WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED
        )


class WebhookDetailAPI(APIView):
    """One of the integrator's webhooks; another integrator's is a 404."""

    permission_classes = [IsActiveIntegrator]

    @extend_schema(
        tags=[TAG],
        summary=_("Read a webhook"),
        parameters=[WEBHOOK_ID],
        responses={200: WebhookSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request, id: int):
        webhook = get_object_or_404(webhooks_of(request.user.integrator), pk=id)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Change a webhook"),
        description=_("Change its URL, or switch it off (is_active: false) and on."),
        parameters=[WEBHOOK_ID],
        request=WebhookUpdateSerializer,
        responses={
            200: WebhookSerializer,
            **BAD_INPUT,
            **UNREADABLE_BODY,
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def patch(self, request, id: int):
        incoming = WebhookUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            webhook = webhook_update(
                actor=request.user, webhook_id=id, **incoming.validated_data
            )
        except Webhook.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            raise field_errors(exc) from exc
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Delete a webhook"),
        description=_("Deletes the webhook and its delivery log."),
        parameters=[WEBHOOK_ID],
        responses={204: None, **NOT_FOUND, **ERRORS},
    )
    def delete(self, request, id: int):
        try:
            webhook_delete(actor=request.user, webhook_id=id)
        except Webhook.DoesNotExist as exc:
            raise Http404 from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListAPI(generics.ListAPIView):
    """A webhook's delivery log, newest first."""

    permission_classes = [IsActiveIntegrator]
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        webhook = get_object_or_404(
            webhooks_of(self.request.user.integrator), pk=self.kwargs["id"]
        )
        return deliveries_of(webhook)

    @extend_schema(
        tags=[TAG],
        summary=_("Read a webhook's delivery log"),
        description=_(
            "Every event sent to the webhook, newest first, with the body as it "
            "was POSTed and every try: when, the HTTP status or the error, and "
            "how long it took."
        ),
        parameters=[WEBHOOK_ID],
        responses={200: WebhookDeliverySerializer(many=True), **NOT_FOUND, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
