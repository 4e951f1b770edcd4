from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    Category,
    Channel,
    Coordination,
    Custody,
    ExtensionRequest,
    Integrator,
    Report,
    ReportEvent,
    ReportPhoto,
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
    search_fields = ["name", "name_en", "code"]
    autocomplete_fields = ["default_agency"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "carries_gps", "is_offline", "is_active"]
    list_editable = ["carries_gps", "is_offline", "is_active"]


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "unit", "is_active"]
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
