"""Django admin for relationships in motion.

Notes appear without their text: what members write is theirs, even for staff.
"""

from django.contrib import admin
from django.http import HttpRequest

from alongside.meetings.models import (
    Agreement,
    Attendance,
    ClosingChoice,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
    SessionGuide,
)


class AttendanceInline(admin.TabularInline[Attendance, Meeting]):
    model = Attendance
    raw_id_fields = ["member"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ["relationship", "number", "starts_at", "status", "unscheduled"]
    list_filter = ["status", "unscheduled"]
    search_fields = ["relationship__name", "uid"]
    raw_id_fields = ["organisation", "relationship", "facilitator"]
    inlines = [AttendanceInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin[Note]):
    list_display = ["meeting", "author", "visibility", "created_at"]
    list_filter = ["visibility"]
    exclude = ["body"]
    raw_id_fields = ["meeting", "author"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Note | None = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin[Commitment]):
    list_display = ["member", "made_at", "status", "due_date", "reviewed_at"]
    list_filter = ["status"]
    raw_id_fields = ["relationship", "member", "made_at", "reviewed_at_meeting"]


@admin.register(SessionGuide)
class SessionGuideAdmin(admin.ModelAdmin[SessionGuide]):
    list_display = ["programme", "meeting_number", "title", "updated_at"]
    raw_id_fields = ["programme"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin[Agreement]):
    list_display = ["relationship", "rhythm_confirmed", "facilitation", "updated_at"]
    raw_id_fields = ["relationship", "fixed_facilitator"]


@admin.register(DevelopmentGoal)
class DevelopmentGoalAdmin(admin.ModelAdmin[DevelopmentGoal]):
    list_display = ["member", "position", "text"]
    raw_id_fields = ["relationship", "member"]


@admin.register(ClosingChoice)
class ClosingChoiceAdmin(admin.ModelAdmin[ClosingChoice]):
    list_display = ["relationship", "member", "point", "choice", "decided_at"]
    list_filter = ["point", "choice"]
    raw_id_fields = ["relationship", "member"]
