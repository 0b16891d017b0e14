from django.contrib import admin

from alongside.matches.models import MatchGroup, MatchRun, PairingRule


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin[MatchRun]):
    list_display = ["pk", "programme", "status", "progress", "objective", "created_at"]
    list_filter = ["status"]
    search_fields = ["programme__name"]
    raw_id_fields = ["programme", "created_by"]
    readonly_fields = ["summary", "rules"]


@admin.register(MatchGroup)
class MatchGroupAdmin(admin.ModelAdmin[MatchGroup]):
    list_display = ["pk", "run", "number", "score"]
    raw_id_fields = ["run"]


@admin.register(PairingRule)
class PairingRuleAdmin(admin.ModelAdmin[PairingRule]):
    list_display = ["pk", "programme", "kind", "first", "second", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["programme", "first", "second", "created_by"]
