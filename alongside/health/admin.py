from django.contrib import admin

from alongside.health.models import HealthThresholds, Intervention, RelationshipHealth


@admin.register(RelationshipHealth)
class RelationshipHealthAdmin(admin.ModelAdmin[RelationshipHealth]):
    list_display = ["relationship", "status", "computed_at", "status_since"]
    list_filter = ["status"]
    raw_id_fields = ["relationship", "programme"]


@admin.register(HealthThresholds)
class HealthThresholdsAdmin(admin.ModelAdmin[HealthThresholds]):
    list_display = ["programme", "updated_at"]
    raw_id_fields = ["programme", "updated_by"]


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin[Intervention]):
    list_display = ["relationship", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation", "relationship", "actor"]
