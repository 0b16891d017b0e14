from django.contrib import admin

from alongside.programmes.models import Enrolment, Intake, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "organisation", "format", "stage", "start_date", "end_date"]
    list_filter = ["organisation", "format", "stage"]
    search_fields = ["name", "purpose"]
    filter_horizontal = ["managers"]
    raw_id_fields = ["created_by"]
    exclude = ["self_enrol_token"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin[Enrolment]):
    list_display = ["person", "programme", "role", "capacity", "status", "source", "late_joiner"]
    list_filter = ["status", "role", "source", "programme__organisation"]
    search_fields = ["person__name", "person__email", "programme__name"]
    raw_id_fields = ["person", "programme"]


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin[Intake]):
    list_display = ["enrolment", "completed_at", "reminder_count"]
    raw_id_fields = ["enrolment"]
