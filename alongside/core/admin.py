from django.contrib import admin

from alongside.core.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin[PeriodicRun]):
    list_display = ["job", "period_start", "status", "attempts", "started_at", "finished_at"]
    list_filter = ["job", "status"]
