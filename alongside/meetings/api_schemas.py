"""Request and response shapes of the relationships-in-motion API."""

from datetime import date, datetime
from typing import Any

from ninja import Field

from alongside.core.schemas import Schema


class RelationshipPersonOut(Schema):
    id: int
    person_id: int
    name: str
    role: str
    is_active: bool


class AgreementOut(Schema):
    rhythm: str
    session_minutes: int
    rhythm_confirmed: bool
    rhythm_note: str
    confirmed_at: datetime | None
    shared_goals: list[str]
    facilitation: str
    fixed_facilitator_id: int | None


class AgreementIn(Schema):
    rhythm_confirmed: bool | None = None
    rhythm_note: str | None = None
    shared_goals: list[str] | None = None
    facilitation: str | None = None
    fixed_facilitator_id: int | None = None


class GoalOut(Schema):
    member_id: int
    position: int
    text: str


class GoalsOut(Schema):
    goals: list[GoalOut]
    suggestions: list[str]


class GoalsIn(Schema):
    goals: list[str]


class CommitmentStatsOut(Schema):
    member_id: int
    total: int
    open: int
    done: int
    partly: int
    not_yet: int
    dropped: int
    completion_rate: int | None


class ClosingStateOut(Schema):
    point: str | None
    my_choice: str | None
    my_reflection: str
    decided: int
    members: int
    relationship_status: str


class ClosingIn(Schema):
    choice: str
    reflection: str = ""


class RelationshipRenameIn(Schema):
    name: str  # empty: named after the members again


class RelationshipDetailOut(Schema):
    id: int
    name: str
    chosen_name: str
    kind: str
    status: str
    ended_at: datetime | None
    programme_id: int
    programme_name: str
    viewer: str  # member | manager
    read_only: bool
    members: list[RelationshipPersonOut]
    agreement: AgreementOut | None
    goals: list[GoalOut]
    next_meeting_id: int | None
    commitment_stats: list[CommitmentStatsOut]
    closing: ClosingStateOut | None


class SessionGuideOut(Schema):
    meeting_number: int
    title: str = Field(
        description="In the reader's language, else the organisation's, else the original."
    )
    prompts: list[str]
    body: str
    is_default: bool
    original_title: str = Field(description="The text as first written (what PUT's title sets).")
    original_body: str
    translations: dict[str, dict[str, str]] = Field(
        description='What is written in other languages: {"hi": {"title": …, "body": …}}.'
    )


class SessionGuideIn(Schema):
    meeting_number: int
    title: str = Field(description="The text as first written.")
    body: str
    translations: dict[str, Any] | None = Field(
        default=None,
        description='Languages to replace: {"hi": {"title": …, "body": …}}; a language sent '
        "empty or null is removed and falls back.",
    )


class GuideResetIn(Schema):
    meeting_number: int | None = None


class NoteActivityOut(Schema):
    count: int
    dates: list[datetime]


class MeetingSummaryOut(Schema):
    id: int
    number: int
    starts_at: datetime
    duration_minutes: int
    timezone: str
    status: str
    facilitator_id: int | None
    notes: NoteActivityOut


class CommitmentOut(Schema):
    id: int
    member_id: int
    made_at_meeting_id: int
    made_at_meeting_number: int
    text: str | None  # None for managers: a commitment's text is its member's
    due_date: date | None
    status: str
    review_note: str | None
    reviewed_at_meeting_id: int | None
    reviewed_at: datetime | None


class CommitmentIn(Schema):
    text: str
    due_date: date | None = None


class CheckInIn(Schema):
    commitment_id: int
    status: str
    note: str = ""


class CommitmentHistoryOut(Schema):
    commitments: list[CommitmentOut]
    stats: CommitmentStatsOut


class MeetingNoteOut(Schema):
    id: int
    meeting_id: int
    author_id: int
    author_name: str
    visibility: str
    body: str
    created_at: datetime
    updated_at: datetime


class MeetingNoteIn(Schema):
    body: str
    visibility: str = "shared"


class MeetingNotePatch(Schema):
    body: str | None = None
    visibility: str | None = None


class MeetingAttendanceOut(Schema):
    member_id: int
    status: str
    had_focus: bool


class FocusLineOut(Schema):
    member_id: int
    name: str
    meetings_since_focus: int | None
    away: bool


class FacilitationOut(Schema):
    facilitator_id: int | None
    facilitator_name: str | None
    set_by_hand: bool
    airtime_minutes: int
    present: int
    focus_order: list[FocusLineOut]


class FacilitatorIn(Schema):
    member_id: int | None = None


class FocusIn(Schema):
    member_id: int
    had_focus: bool = True


class MeetingDetailOut(MeetingSummaryOut):
    relationship_id: int
    guide: SessionGuideOut
    attendance: list[MeetingAttendanceOut]
    check_in: list[CommitmentOut]
    commitments_made: list[CommitmentOut]
    my_notes_and_shared: list[MeetingNoteOut] | None  # None for managers
    facilitation: FacilitationOut | None
