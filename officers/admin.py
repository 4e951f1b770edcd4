from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from complaints.admin import ReadOnlyAdmin, report_ticket
from officers.models import AuditSample, Membership, SlaWarning

User = get_user_model()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__email", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["unit", "role"]
    autocomplete_fields = ["unit"]
    extra = 0


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their unit memberships and city-wide roles (groups).

    Supervisors manage accounts here but cannot raise anyone, themselves included,
    above their own rights: superuser status and per-user permissions are read-only
    to them, and superusers' accounts (password included) are view-only.
    """

    inlines = [MembershipInline]
    list_display = [*DjangoUserAdmin.list_display, "roles", "units"]
    list_filter = [
        *DjangoUserAdmin.list_filter,
        "memberships__role",
        "memberships__unit__kind",
    ]
    search_fields = [
        *DjangoUserAdmin.search_fields,
        "memberships__unit__name",
        "memberships__unit__code",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups", "memberships__unit")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("roles"))
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description=_("units"))
    def units(self, user) -> str:
        return ", ".join(str(m.unit) for m in user.memberships.all())


class MonthSampledFilter(admin.SimpleListFilter):
    """One choice per month that has samples, named as a month, not a date."""

    title = _("month sampled")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = model_admin.get_queryset(request).dates("month", "month", "DESC")
        return [
            (f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT"))
            for month in months
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year, _sep, month = self.value().partition("-")
        if not (year.isdigit() and month.isdigit()):
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(month__year=int(year), month__month=int(month))


@admin.register(AuditSample)
class AuditSampleAdmin(ReadOnlyAdmin):
    """Read-only: a verdict is given on the back-office audit page, because an
    inadequate one reopens the report through the workflow."""

    list_display = [
        report_ticket,
        "unit",
        "month",
        "verdict",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    list_filter = ["verdict", MonthSampledFilter, "unit__kind"]
    list_select_related = ["report", "unit", "decided_by"]
    search_fields = ["report__ticket", "unit__name", "unit__code"]


@admin.register(SlaWarning)
class SlaWarningAdmin(ReadOnlyAdmin):
    """Read-only: warnings are sent by the SLA sweep or from the monitoring room."""

    list_display = [
        report_ticket,
        "clock",
        "level",
        "late_unit",
        "unit",
        "due_at",
        "is_manual",
        "sent_by",
        "created_at",
    ]
    list_filter = ["clock", "level", "is_manual", "unit__kind"]
    list_select_related = ["report", "late_unit", "unit", "sent_by"]
    search_fields = ["report__ticket", "unit__name", "late_unit__name"]
    date_hierarchy = "created_at"
