from django.contrib import admin

from routing.models import Area, RoutingRule, Unit


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "postal_code"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "postal_code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["boundary"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent", "area"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "area"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "area", "unit", "is_active"]
    list_filter = ["is_active", "category", "area__level", "unit__kind"]
    list_select_related = ["category", "area", "unit"]
    search_fields = [
        "category__name",
        "category__code",
        "area__name",
        "area__code",
        "unit__name",
        "unit__code",
    ]
    autocomplete_fields = ["area", "unit"]
