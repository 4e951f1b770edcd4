from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.models import (
    Category,
    Channel,
    Comment,
    Coordination,
    Custody,
    ExtensionRequest,
    Follow,
    Integrator,
    Report,
    ReportEvent,
    ReportPhoto,
    SatisfactionSurvey,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from complaints.services.webhooks import delivery_send_again


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that only the application writes (history, samples, answers).

    Nobody adds, changes or deletes it here, a superuser included: an edit would
    bypass the service that owns it. Whoever holds the view permission reads it.
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.display(description=_("ticket"), ordering="report__ticket")
def report_ticket(obj):
    """The ticket of ``obj.report``, linked to the report's admin page."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:complaints_report_change", args=[obj.report_id]),
        obj.report.ticket,
    )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "default_agency",
        "response_hours",
        "completion_days",
        "is_active",
    ]
    list_editable = ["response_hours", "completion_days", "is_active"]
    list_filter = ["is_active", "default_agency"]
    list_select_related = ["default_agency"]
    search_fields = ["name", "name_en", "code", "default_agency__name"]
    autocomplete_fields = ["default_agency"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "name_en",
                    "description",
                    "default_agency",
                    "is_active",
                    "sort_order",
                ]
            },
        ),
        (
            _("Service levels"),
            {
                "fields": ["response_hours", "completion_days"],
                "description": _(
                    "A report's deadlines are set from these numbers when it "
                    "reaches a unit; a change here does not move deadlines "
                    "already set."
                ),
            },
        ),
    ]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "carries_gps", "is_offline", "is_active"]
    list_editable = ["carries_gps", "is_offline", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "unit", "is_active"]
    list_filter = ["is_active", "channel"]
    list_select_related = ["channel", "unit"]
    search_fields = ["name", "user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]


class ReportPhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    can_delete = False
    fields = [
        "preview",
        "kind",
        "width",
        "height",
        "taken_at",
        "gps_latitude",
        "gps_longitude",
    ]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, photo: ReportPhoto):
        return format_html(
            '<a href="{}"><img src="{}" style="max-height:120px"></a>',
            photo.image.url,
            photo.thumbnail.url,
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "action",
        "actor",
        "from_status",
        "to_status",
        "unit",
        "target_unit",
        "note",
        "is_public",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CustodyInline(admin.TabularInline):
    model = Custody
    extra = 0
    can_delete = False
    fields = ["unit", "started_at", "ended_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CoordinationInline(CustodyInline):
    model = Coordination
    fields = ["unit", "invited_by", "invited_at", "ended_at"]
    readonly_fields = fields


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["report", "unit", "new_due_at", "state", "created_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # requested and decided through the workflow


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Supervisors read reports here; status changes go through the workflow."""

    list_display = [
        "ticket",
        "title",
        "category",
        "status",
        "area",
        "handling_unit",
        "channel",
        "created_at",
    ]
    list_filter = [
        "status",
        "ping_pong",
        "needs_supervisor",
        "category",
        "channel",
        "handling_unit__kind",
    ]
    search_fields = ["ticket", "title", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "area", "handling_unit", "channel"]
    inlines = [ReportPhotoInline, ReportEventInline, CustodyInline, CoordinationInline]
    readonly_fields = [
        field.name for field in Report._meta.fields if field.name not in ("id",)
    ]

    def has_add_permission(self, request) -> bool:
        return False  # reports are filed through the intake forms and the API


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    """The timeline of every report, across the city. Events are immutable."""

    list_display = [
        "created_at",
        report_ticket,
        "kind",
        "action",
        "from_status",
        "to_status",
        "actor",
        "unit",
        "target_unit",
        "is_public",
    ]
    list_filter = ["kind", "action", "to_status", "is_public", "unit__kind"]
    list_select_related = ["report", "actor", "unit", "target_unit"]
    search_fields = ["report__ticket"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    list_display = [report_ticket, "unit", "average", "created_at"]
    list_filter = ["unit__kind"]
    list_select_related = ["report", "unit"]
    search_fields = ["report__ticket", "unit__name", "unit__code"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    @admin.display(description=_("average score (1-4)"))
    def average(self, survey: SatisfactionSurvey) -> str:
        return f"{sum(survey.scores) / len(survey.scores):.2f}"


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments are hidden from the report's back-office page, where the reason is
    required and the timeline records who hid it."""

    list_display = [
        "created_at",
        report_ticket,
        "display_name",
        "author_unit",
        "short_body",
        "hidden_at",
        "hidden_by_unit",
    ]
    list_filter = [HiddenFilter, "author_unit__kind"]
    list_select_related = ["report", "author_unit", "hidden_by_unit"]
    search_fields = ["report__ticket", "body", "display_name", "hidden_reason"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    """Who follows what. Citizens follow and unfollow on the portal; a supervisor
    may only remove a follow (at a citizen's request)."""

    list_display = ["created_at", "user", "report", "area"]
    list_select_related = ["user", "report", "area"]
    search_fields = ["user__email", "report__ticket", "area__name", "area__code"]
    ordering = ["-created_at", "-id"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Integrators register their webhooks through the API; here a supervisor
    reads them and may switch one off. The signing secret is never shown."""

    list_display = ["url", "integrator", "is_active", "created_at", "deliveries"]
    list_filter = ["is_active"]
    list_select_related = ["integrator"]
    search_fields = ["url", "integrator__name"]
    fields = ["integrator", "url", "is_active", "created_at", "deliveries"]
    readonly_fields = ["integrator", "url", "created_at", "deliveries"]
    ordering = ["-created_at", "-id"]

    @admin.display(description=_("deliveries"))
    def deliveries(self, webhook: Webhook):
        return format_html(
            '<a href="{}?webhook__id__exact={}">{}</a>',
            reverse("admin:complaints_webhookdelivery_changelist"),
            webhook.pk,
            _("Delivery log"),
        )

    def has_add_permission(self, request) -> bool:
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The log of every event sent to every webhook, with each try."""

    list_display = [
        "created_at",
        "webhook",
        "ticket",
        "event_type",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "webhook__integrator"]
    list_select_related = ["webhook", "event__report"]
    search_fields = ["event__report__ticket", "webhook__url"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    @admin.display(description=_("ticket"), ordering="event__report__ticket")
    def ticket(self, delivery: WebhookDelivery) -> str:
        return delivery.event.report.ticket

    @admin.display(description=_("event"))
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.payload.get("type", "")

    @admin.action(description=_("Send again now"), permissions=["send_again"])
    def send_again(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for delivery_id in ids:
            delivery_send_again(actor=request.user, delivery_id=delivery_id)
        self.message_user(
            request,
            ngettext(
                "%(n)d delivery queued to be sent again.",
                "%(n)d deliveries queued to be sent again.",
                len(ids),
            )
            % {"n": len(ids)},
        )

    def has_send_again_permission(self, request) -> bool:
        return request.user.has_perm("complaints.change_webhookdelivery")
