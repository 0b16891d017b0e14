"""The tenancy matrix: every URL and every API operation, enumerated automatically.

Each page under ``/o/<org_slug>/`` and each organisation-scoped API operation must
answer 404 to an outsider (a member of another organisation), send an anonymous visitor
to sign in (pages) or answer 401 (API), and answer 403 to a member whose role is too
low. The URL names and API operations are read from the resolver and the OpenAPI
schema, so a new URL without an entry in the tables below fails
``test_every_url_name_has_an_access_rule`` / ``test_every_api_operation_has_an_access_rule``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alongside.accounts.models import ApiToken, User
from alongside.accounts.services import api_token_create
from alongside.chat.models import TeamsChannelWebhook
from alongside.exports.models import Export
from alongside.flash.models import FlashGroup, FlashMember, FlashRound
from alongside.hrsync.models import SyncRun
from alongside.matches.models import MatchGroup, MatchGroupMember, MatchRun, PairingRule
from alongside.meetings.models import Commitment, Meeting, Note
from alongside.organisations.models import Membership, Organisation, Role
from alongside.outbox.models import OutboundEmail
from alongside.people.models import Person, PersonImport
from alongside.privacy.models import DataRequest
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from alongside.scim.models import ScimToken
from alongside.scim.tokens import scim_token_create
from alongside.selfmatch.models import MatchRequest
from alongside.surveys.models import Question, Survey
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint

MEMBER, MANAGERS, ADMINS = "member", "managers", "admins"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The cast signs up four users per test; a fast hasher keeps the matrix quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    role: str  # the lowest role that may use it: member | managers | admins
    post_only: bool = False


ORG_PAGES: dict[str, Page] = {
    "home:organisation": Page(MEMBER),
    "organisations:settings": Page(ADMINS),
    "organisations:members": Page(ADMINS),
    "organisations:member_role": Page(ADMINS, post_only=True),
    "organisations:member_remove": Page(ADMINS, post_only=True),
    "organisations:audit": Page(ADMINS),
    # Personal data: one's own download (and its progress) for everyone; the
    # organisation's export, the requests list and erasure for admins.
    "privacy:my_export": Page(MEMBER, post_only=True),
    "privacy:request": Page(MEMBER),  # one's own request (any, for admins)
    "privacy:request_progress": Page(MEMBER),
    "privacy:request_download": Page(MEMBER),  # a person's own download: them alone
    "privacy:requests": Page(ADMINS),
    "privacy:organisation_export": Page(ADMINS, post_only=True),
    "privacy:erase_person": Page(ADMINS),
    "privacy:erase_organisation": Page(ADMINS),
    "provisioning:settings": Page(ADMINS),
    "provisioning:token_create": Page(ADMINS, post_only=True),
    "provisioning:token_rotate": Page(ADMINS, post_only=True),
    "provisioning:token_revoke": Page(ADMINS, post_only=True),
    "organisations:access": Page(ADMINS),
    "organisations:unlock": Page(ADMINS, post_only=True),
    "organisations:service_token_new": Page(ADMINS, post_only=True),
    "organisations:service_token_revoke": Page(ADMINS, post_only=True),
    "sso:settings": Page(ADMINS),
    "sso:switch": Page(ADMINS, post_only=True),
    "sso:try": Page(ADMINS, post_only=True),
    "organisations:emails": Page(ADMINS),
    "organisations:email_retry": Page(ADMINS, post_only=True),
    "people:list": Page(MEMBER),
    "people:me": Page(MEMBER),  # one's own profile and "how others see me"
    "people:export": Page(MEMBER),  # the directory as the viewer may see it
    "people:new": Page(ADMINS),
    "people:invite_many": Page(MANAGERS, post_only=True),
    "people:detail": Page(MEMBER),
    "people:edit": Page(ADMINS),
    "people:active": Page(ADMINS, post_only=True),
    "people:invite": Page(MANAGERS, post_only=True),
    "people:import": Page(ADMINS),
    "people:import_preview": Page(ADMINS),
    "people:import_progress": Page(ADMINS),
    "people:import_confirm": Page(ADMINS, post_only=True),
    "people:import_discard": Page(ADMINS, post_only=True),
    "people:import_template": Page(ADMINS),
    "programmes:list": Page(MEMBER),
    "programmes:new": Page(MANAGERS),
    "programmes:join": Page(MEMBER),  # the self-enrolment link
    "programmes:detail": Page(MEMBER),  # members only see programmes they take part in
    "programmes:edit": Page(MANAGERS),
    "programmes:languages": Page(MANAGERS),  # areas and topics in other languages
    "programmes:transition": Page(MANAGERS, post_only=True),
    "programmes:intake": Page(MEMBER),  # the participant's own intake
    "programmes:intake_autosave": Page(MEMBER, post_only=True),  # saving it as you go
    "programmes:enrolment": Page(MANAGERS),
    "programmes:enrol": Page(MANAGERS, post_only=True),
    "programmes:enrol_csv": Page(MANAGERS, post_only=True),
    "programmes:remind": Page(MANAGERS, post_only=True),
    "programmes:invite_not_signed_in": Page(MANAGERS, post_only=True),
    "programmes:self_enrol_settings": Page(MANAGERS, post_only=True),
    "programmes:withdraw": Page(MANAGERS, post_only=True),
    "meetings:mine": Page(MEMBER),
    "nudges:settings": Page(MANAGERS),  # the programme's managers switch nudges on/off
    "nudges:log": Page(MANAGERS),
    "relationships:rematch": Page(MEMBER, post_only=True),  # only one's own relationships
    "relationships:rename": Page(MEMBER, post_only=True),  # only one's own relationships
    "matches:review": Page(MANAGERS),
    "matches:run": Page(MANAGERS, post_only=True),
    "matches:run_detail": Page(MANAGERS),
    "matches:run_progress": Page(MANAGERS),
    "matches:people_picker": Page(MANAGERS),
    "matches:move": Page(MANAGERS, post_only=True),
    "matches:swap": Page(MANAGERS, post_only=True),
    "matches:lock_group": Page(MANAGERS, post_only=True),
    "matches:rule": Page(MANAGERS, post_only=True),
    "matches:rule_remove": Page(MANAGERS, post_only=True),
    "matches:publish": Page(MANAGERS, post_only=True),
    "matches:discard": Page(MANAGERS, post_only=True),
    "matches:relationships": Page(MANAGERS),
    "matches:compare": Page(MANAGERS),
    "matches:resolve_rematch": Page(MANAGERS, post_only=True),
    "matches:add_late_joiner": Page(MANAGERS, post_only=True),
    # Participant choice: a participant's own suggestions, bookmarks, requests and pick;
    # the programme's managers set how it matches.
    "selfmatch:choose": Page(MEMBER),
    "selfmatch:manage": Page(MANAGERS),
    "selfmatch:pick": Page(MEMBER, post_only=True),
    "selfmatch:bookmark": Page(MEMBER, post_only=True),
    "selfmatch:request": Page(MEMBER, post_only=True),
    "selfmatch:accept": Page(MEMBER, post_only=True),  # only a request made to them
    "selfmatch:decline": Page(MEMBER, post_only=True),
    "selfmatch:withdraw": Page(MEMBER, post_only=True),  # only their own request
    # Flash rounds: participants skip, answer and download their own invitation.
    "flash:rounds": Page(MEMBER),
    "flash:plan": Page(MANAGERS, post_only=True),
    "flash:pair": Page(MANAGERS, post_only=True),
    "flash:skip": Page(MEMBER, post_only=True),
    "flash:pulse": Page(MEMBER, post_only=True),
    "flash:ics": Page(MEMBER),  # only a round they were paired in
    # Learning from outcomes: the programme's managers.
    "learning:report": Page(MANAGERS),
    "learning:apply": Page(MANAGERS, post_only=True),
    # A relationship's own pages: its members act, its programme's managers only read.
    "meetings:relationship": Page(MEMBER),
    "meetings:agreement": Page(MEMBER),
    "meetings:closing": Page(MEMBER),
    "meetings:meeting": Page(MEMBER),
    "meetings:note_add": Page(MEMBER, post_only=True),
    "meetings:note_edit": Page(MEMBER),  # one's own note only
    "meetings:note_delete": Page(MEMBER, post_only=True),
    "meetings:commit": Page(MEMBER, post_only=True),
    "meetings:check_in": Page(MEMBER, post_only=True),
    "meetings:facilitator": Page(MEMBER, post_only=True),
    "meetings:focus": Page(MEMBER, post_only=True),
    "meetings:guides": Page(MANAGERS),
    "meetings:guides_reset": Page(MANAGERS, post_only=True),
    # Dashboards and health: the programme's own managers and admins only.
    "dashboards:overview": Page(MANAGERS),
    "dashboards:programme": Page(MANAGERS),
    "dashboards:refresh": Page(MANAGERS, post_only=True),
    "dashboards:thresholds": Page(MANAGERS),
    "dashboards:summary_pdf": Page(MANAGERS),
    "dashboards:outcomes_pdf": Page(MANAGERS),
    "dashboards:relationship": Page(MANAGERS),
    "dashboards:intervene": Page(MANAGERS, post_only=True),
    # A relationship's meeting time and meetings: its members act, its managers look.
    "scheduling:schedule": Page(MEMBER),
    "scheduling:schedule_accept": Page(MEMBER, post_only=True),
    "scheduling:schedule_propose": Page(MEMBER, post_only=True),
    "scheduling:meeting_log": Page(MEMBER, post_only=True),
    "scheduling:meeting_reschedule": Page(MEMBER, post_only=True),
    "scheduling:meeting_cancel": Page(MEMBER, post_only=True),
    "scheduling:meeting_outcome": Page(MEMBER, post_only=True),
    "scheduling:meeting_apologies": Page(MEMBER, post_only=True),
    "scheduling:meeting_ics": Page(MEMBER),  # the relationship's members and its managers
    "scheduling:calendar_feed": Page(MEMBER),  # the user's own subscription address
    "scheduling:calendar_feed_renew": Page(MEMBER, post_only=True),
    "scheduling:relationship_video": Page(MEMBER, post_only=True),  # its active members
    # Video meetings: the organisation's accounts (admins), a programme's default link.
    "video:accounts": Page(ADMINS),
    # Slack and Teams: admins.
    "chat:settings": Page(ADMINS),
    "chat:slack_install": Page(ADMINS, post_only=True),
    "chat:slack_update": Page(ADMINS, post_only=True),
    "chat:slack_disconnect": Page(ADMINS, post_only=True),
    "chat:teams_connect": Page(ADMINS, post_only=True),
    "chat:teams_disconnect": Page(ADMINS, post_only=True),
    "chat:webhook_add": Page(ADMINS, post_only=True),
    "chat:webhook_remove": Page(ADMINS, post_only=True),
    # The scheduled HR sync: admins.
    "hrsync:settings": Page(ADMINS),
    "hrsync:run_now": Page(ADMINS, post_only=True),
    "hrsync:forget_host_key": Page(ADMINS, post_only=True),
    "hrsync:remove": Page(ADMINS, post_only=True),
    "hrsync:run": Page(ADMINS),
    "hrsync:run_confirm": Page(ADMINS, post_only=True),
    "hrsync:run_discard": Page(ADMINS, post_only=True),
    "video:disconnect": Page(ADMINS, post_only=True),
    "video:programme": Page(MANAGERS),
    # Surveys and check-ins: participants reach only their own programmes' surveys,
    # relationships and meetings; everything else is for the programme's managers.
    "surveys:mine": Page(MEMBER),
    "surveys:fill": Page(MEMBER),
    "surveys:midpoint": Page(MEMBER, post_only=True),
    "surveys:meeting_pulse": Page(MEMBER, post_only=True),
    "surveys:my_results": Page(MEMBER),
    "surveys:setup": Page(MANAGERS),
    "surveys:checkin_settings": Page(MANAGERS, post_only=True),
    "surveys:midpoint_now": Page(MANAGERS, post_only=True),
    "surveys:question_new": Page(MANAGERS, post_only=True),
    "surveys:question_edit": Page(MANAGERS),
    "surveys:question_remove": Page(MANAGERS, post_only=True),
    "surveys:state": Page(MANAGERS, post_only=True),
    "surveys:schedule": Page(MANAGERS, post_only=True),
    "surveys:outcomes": Page(MANAGERS),
    "surveys:export": Page(MANAGERS, post_only=True),
    # An export is its requester's alone (the tenant's is the member's): others get 404.
    "exports:detail": Page(MEMBER),
    "exports:progress": Page(MEMBER),
    "exports:download": Page(MEMBER),
    "surveys:closing": Page(MANAGERS),
    "surveys:closing_session": Page(MANAGERS, post_only=True),
    "surveys:closing_survey": Page(MANAGERS, post_only=True),
    "surveys:closing_close": Page(MANAGERS, post_only=True),
    "webhooks:list": Page(ADMINS),
    "webhooks:detail": Page(ADMINS),
    "webhooks:rotate": Page(ADMINS, post_only=True),
    "webhooks:test": Page(ADMINS, post_only=True),
    "webhooks:delete": Page(ADMINS, post_only=True),
    "webhooks:delivery": Page(ADMINS),
    "webhooks:delivery_retry": Page(ADMINS, post_only=True),
}

# Pages outside any organisation: who may see them, and why they are not tenant-scoped.
OTHER_PAGES: dict[str, str] = {
    "home": "signed-in",  # redirects into the user's own organisation
    "accounts:login": "public",
    "accounts:sign_in_realm": "public",  # where an address signs in (home-realm discovery)
    "accounts:sign_in_link_sent": "public",
    "accounts:sign_in_link": "public",  # the single-use secret in the URL is the credential
    "accounts:sign_in_link_fresh": "public",  # mails a fresh link to the stale link's owner
    "accounts:logout": "public",
    "accounts:password_reset": "public",
    "accounts:password_reset_done": "public",
    "accounts:password_reset_confirm": "public",
    "accounts:password_reset_complete": "public",
    "invitations:accept": "public",  # the secret in the URL is the credential
    "accounts:api_tokens": "signed-in",  # the user's own tokens only
    "email_preferences": "signed-in",  # the user's own email frequency, in every organisation
    "accounts:revoke_api_token": "signed-in",
    "accounts:set_language": "public",  # the switcher: a cookie, and the account's when signed in
    "healthz": "public",
    # Single sign-on with an organisation's identity provider: public by nature (the
    # provider's signed answer is the credential); each organisation's own addresses.
    "sso_flow:start": "public",
    "sso_flow:oidc_callback": "public",
    "sso_flow:saml_acs": "public",
    "sso_flow:saml_finish": "public",
    "sso_flow:saml_metadata": "public",
    "readyz": "public",  # says only whether the database, migrations and a worker are ready
    "metrics": "public",  # or behind ALONGSIDE_METRICS_TOKEN (tests/core/test_operations.py)
    "calendar_feed_ics": "public",  # the secret, renewable token in the URL is the credential
    # Chat: the Slack install's return (the signed-in admin named in its signed state),
    # the calls Slack and Teams make (their own signatures: tests/chat), and the page
    # behind a one-click action (the signed token in the URL is the credential).
    "slack_oauth_callback": "signed-in",
    "slack_interactions": "slack-signature",
    "teams_messages": "bot-framework-token",
    "chat_action": "public",
    "flash_skip_link": "public",  # a signed link from the round's email; skipping is a POST
    # Each organisation's SCIM endpoint: one of its own SCIM tokens (test_scim_endpoint_…).
    "scim:users": "scim",
    "scim:user": "scim",
    "scim:groups": "scim",
    "scim:group": "scim",
    "scim:schemas": "scim",
    "scim:schema": "scim",
    "scim:resource_types": "scim",
    "scim:resource_type": "scim",
    "scim:service_provider_config": "scim",
}

# The API's URLs are checked operation by operation through the OpenAPI schema below;
# the Django admin has its own staff-only sign-in.
SKIPPED_NAMESPACES = ("api", "admin")


def walk_urls(
    resolver: URLResolver | None = None, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """(route, qualified name) for every URL pattern in the project."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            extra = (pattern.namespace,) if pattern.namespace else ()
            yield from walk_urls(pattern, prefix + str(pattern.pattern), namespaces + extra)
        else:
            assert isinstance(pattern, URLPattern)
            name = ":".join((*namespaces, pattern.name or f"<unnamed {pattern.pattern}>"))
            yield prefix + str(pattern.pattern), name


def project_urls() -> dict[str, str]:
    return {
        name: route
        for route, name in walk_urls()
        if not name.startswith(tuple(ns + ":" for ns in SKIPPED_NAMESPACES))
    }


def org_urls() -> dict[str, str]:
    return {name: route for name, route in project_urls().items() if route.startswith("o/<slug:")}


def url_parameters(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


@dataclass
class Tenant:
    organisation: Organisation
    person: Person
    membership: Membership
    person_import: PersonImport
    programme: Programme
    enrolment: Enrolment
    run: MatchRun
    rule: PairingRule
    relationship: Relationship
    rematch_request: RematchRequest
    meeting: Meeting
    note: Note
    commitment: Commitment
    survey: Survey
    question: Question
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery
    scim_token: ScimToken
    data_request: DataRequest
    email: OutboundEmail
    export: Export
    sync_run: SyncRun
    teams_webhook: TeamsChannelWebhook
    match_request: MatchRequest
    flash_round: FlashRound


def make_tenant_objects(organisation: Organisation, user: User) -> Tenant:
    person = Person.objects.create(
        organisation=organisation,
        name="Nobody Signed-In",
        email=f"nobody@{organisation.slug}.test",
    )
    # A programme the organisation's programme manager manages and its member takes part
    # in, so each role reaches the programme-level check rather than a 404.
    programme = Programme.objects.create(
        organisation=organisation,
        name="Tenant programme",
        format="peer_pairs",
        start_date=date(2030, 1, 1),
        end_date=date(2030, 6, 1),
        stage="enrolling",
    )
    enrolment = Enrolment.objects.create(
        programme=programme, person=person, role="peer", source="directory"
    )
    Intake.objects.create(enrolment=enrolment)
    for membership in Membership.objects.filter(organisation=organisation):
        if membership.role == Role.PROGRAMME_MANAGER:
            programme.managers.add(membership.user)
        elif membership.role == Role.MEMBER:
            own = Person.objects.get(organisation=organisation, user=membership.user)
            Intake.objects.create(
                enrolment=Enrolment.objects.create(
                    programme=programme, person=own, role="peer", source="directory"
                )
            )
    # A draft run with one group, a pairing rule, a relationship and a rematch request,
    # so the matching pages and API reach their object lookups.
    second = Enrolment.objects.create(
        programme=programme,
        person=Person.objects.create(
            organisation=organisation,
            name="Second Nobody",
            email=f"second@{organisation.slug}.test",
        ),
        role="peer",
        source="directory",
    )
    Intake.objects.create(enrolment=second)
    run = MatchRun.objects.create(programme=programme, status=MatchRun.Status.DRAFT)
    group = MatchGroup.objects.create(run=run, number=1)
    for member_enrolment in (enrolment, second):
        MatchGroupMember.objects.create(
            run=run, group=group, enrolment=member_enrolment, role="peer"
        )
    relationship = Relationship.objects.create(
        organisation=organisation, programme=programme, kind="pair", name="Pair 1"
    )
    for member_enrolment in (enrolment, second):
        RelationshipMember.objects.create(
            relationship=relationship,
            enrolment=member_enrolment,
            person=member_enrolment.person,
            role="peer",
        )
    # The organisation's member takes part in the relationship, so its pages open for them;
    # their note and commitment sit at its first meeting.
    author = relationship.members.first()
    own = Enrolment.objects.filter(programme=programme, person__user__isnull=False).first()
    if own is not None:
        author = RelationshipMember.objects.create(
            relationship=relationship, enrolment=own, person=own.person, role="peer"
        )
    assert author is not None
    # An open start survey the member can answer, and a held meeting of the relationship.
    survey = Survey.objects.create(programme=programme, kind="start", status="open")
    question = Question.objects.create(
        survey=survey, kind="capability", capability_area="Feedback", text="Feedback?"
    )
    meeting = Meeting.objects.create(
        organisation=organisation,
        relationship=relationship,
        number=1,
        starts_at=datetime(2030, 1, 7, 9, tzinfo=UTC),
        timezone="Asia/Kolkata",
    )
    # A webhook address (its secret is never sent anywhere here) with one failed delivery.
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=f"https://hooks.{organisation.slug}.test/alongside",
        event_types=["meeting.held"],
        secret_encrypted="not-used",
        is_active=False,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="meeting.held", payload={}, status="failed"
    )
    # A finished download of the organisation's member's own data, so that its pages open.
    own_entry = Person.objects.filter(organisation=organisation, user__memberships__role="member")
    data_request = DataRequest.objects.create(
        organisation=organisation,
        kind=DataRequest.Kind.PERSON_EXPORT,
        status=DataRequest.Status.DONE,
        progress=100,
        requested_by=own_entry.first().user if own_entry.exists() else user,  # type: ignore[union-attr]
        person=own_entry.first() or person,
        result=b"PK\x05\x06" + b"\x00" * 18,
        filename="my-data.zip",
    )
    requester = (
        User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.MEMBER
        ).first()
        or user
    )
    # An HR sync run waiting for an admin's confirmation.
    sync_run = SyncRun.objects.create(
        organisation=organisation, status=SyncRun.Status.NEEDS_CONFIRMATION, left=[person.email]
    )
    # A paired flash round with the organisation's member in it, so its pages open.
    flash_round = FlashRound.objects.create(
        programme=programme, number=1, meets_at=datetime(2030, 2, 1, 9, tzinfo=UTC), timezone="UTC"
    )
    flash_group = FlashGroup.objects.create(round=flash_round, number=1)
    for flash_enrolment in {own or enrolment, second}:
        FlashMember.objects.create(
            round=flash_round,
            group=flash_group,
            enrolment=flash_enrolment,
            person=flash_enrolment.person,
        )
    return Tenant(
        teams_webhook=TeamsChannelWebhook.objects.create(
            organisation=organisation, name="Mentoring", url_encrypted="not-used"
        ),
        sync_run=sync_run,
        flash_round=flash_round,
        match_request=MatchRequest.objects.create(
            programme=programme, requester=enrolment, recipient=second, message="x"
        ),
        endpoint=endpoint,
        delivery=delivery,
        data_request=data_request,
        scim_token=ScimToken.objects.create(
            organisation=organisation,
            name="Entra ID",
            prefix="scim_x",
            token_hash=f"{organisation.pk:064d}",
        ),
        export=Export.objects.create(
            organisation=organisation,
            requested_by=requester,
            kind="survey-data",
            title="Survey answers",
            filename="survey-data.csv",
            status=Export.Status.DONE,
            progress=100,
            content=b"respondent\r\n",
        ),
        email=OutboundEmail.objects.create(
            organisation=organisation,
            kind="test",
            recipients=[person.email],
            subject="A failed email",
            payload={},
            status=OutboundEmail.Status.FAILED,
            last_error="SMTPRecipientsRefused: no such mailbox",
        ),
        survey=survey,
        question=question,
        meeting=meeting,
        note=Note.objects.create(meeting=meeting, author=author, visibility="shared", body="n"),
        commitment=Commitment.objects.create(
            relationship=relationship, member=author, made_at=meeting, text="c"
        ),
        programme=programme,
        enrolment=enrolment,
        run=run,
        rule=PairingRule.objects.create(
            programme=programme, kind="forbid", first=enrolment, second=second
        ),
        relationship=relationship,
        rematch_request=RematchRequest.objects.create(
            relationship=relationship, enrolment=enrolment, reason="x"
        ),
        organisation=organisation,
        person=person,
        membership=Membership.objects.get(user=user, organisation=organisation),
        person_import=PersonImport.objects.create(
            organisation=organisation,
            created_by=user,
            filename="people.csv",
            content=b"email,name\r\nx@example.com,X\r\n",
            status=PersonImport.Status.PREVIEWED,
            row_count=1,
        ),
    )


def fill(route_name: str, route: str, tenant: Tenant, slug: str | None = None) -> str:
    values = {
        "org_slug": slug or tenant.organisation.slug,
        "person_id": tenant.person.pk,
        "membership_id": tenant.membership.pk,
        "import_id": tenant.person_import.pk,
        "programme_id": tenant.programme.pk,
        "enrolment_id": tenant.enrolment.pk,
        "token": tenant.programme.self_enrol_token,
        "run_id": tenant.run.pk,
        "rule_id": tenant.rule.pk,
        "relationship_id": tenant.relationship.pk,
        "request_id": tenant.rematch_request.pk,
        "meeting_id": tenant.meeting.pk,
        "note_id": tenant.note.pk,
        "commitment_id": tenant.commitment.pk,
        "survey_id": tenant.survey.pk,
        "question_id": tenant.question.pk,
        "endpoint_id": tenant.endpoint.pk,
        "delivery_id": tenant.delivery.pk,
        "token_id": tenant.scim_token.pk,
        "data_request_id": tenant.data_request.pk,
        "email_id": tenant.email.pk,
        "export_id": tenant.export.pk,
        "provider": "zoom",
        "sync_run_id": tenant.sync_run.pk,
        "webhook_id": tenant.teams_webhook.pk,
        "match_request_id": tenant.match_request.pk,
        "round_id": tenant.flash_round.pk,
    }
    params = url_parameters(route)
    missing = [p for p in params if p not in values]
    assert not missing, f"{route_name}: no test value for URL parameter(s) {missing}"
    return reverse(route_name, kwargs={p: values[p] for p in params})


@pytest.fixture
def tenant_a(cast: dict[str, User], org_a: Organisation) -> Tenant:
    return make_tenant_objects(org_a, cast["admin"])


@pytest.fixture
def tenant_b(cast: dict[str, User], org_b: Organisation) -> Tenant:
    return make_tenant_objects(org_b, cast["outsider"])


def test_every_url_name_has_an_access_rule() -> None:
    names = set(project_urls())
    org_names = set(org_urls())
    unknown = names - set(ORG_PAGES) - set(OTHER_PAGES)
    assert not unknown, (
        f"New URL(s) {sorted(unknown)}: add them to ORG_PAGES or OTHER_PAGES in "
        "tests/test_access.py so their access rules are tested."
    )
    assert org_names == set(ORG_PAGES), "ORG_PAGES must list exactly the /o/<slug>/ URLs"
    stale = (set(ORG_PAGES) | set(OTHER_PAGES)) - names
    assert not stale, f"These URL names no longer exist: {sorted(stale)}"


def test_every_organisation_url_takes_the_slug_first() -> None:
    for name, route in org_urls().items():
        assert url_parameters(route)[0] == "org_slug", name


ORG_URL_NAMES = sorted(ORG_PAGES)


@pytest.mark.parametrize("name", ORG_URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_every_organisation_page(
    name: str, method: str, cast: dict[str, User], tenant_a: Tenant, client_for: Any
) -> None:
    url = fill(name, org_urls()[name], tenant_a)
    response = getattr(client_for(cast["outsider"]), method)(url)
    assert response.status_code == 404, (name, method, response.status_code)
    # Nothing of organisation A leaks into the error page.
    body = response.content.decode()
    assert "Acme India" not in body
    assert tenant_a.person.name not in body


@pytest.mark.parametrize("name", ORG_URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in_from_every_organisation_page(
    name: str, method: str, tenant_a: Tenant, client_for: Any
) -> None:
    url = fill(name, org_urls()[name], tenant_a)
    response = getattr(client_for(None), method)(url)
    assert response.status_code == 302, (name, method, response.status_code)
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:login")
    assert f"next={url}".replace("/", "%2F") in location.query or f"next={url}" in location.query


@pytest.mark.parametrize("name", ORG_URL_NAMES)
def test_unknown_organisation_is_404_even_for_an_admin(
    name: str, cast: dict[str, User], tenant_a: Tenant, client_for: Any
) -> None:
    url = fill(name, org_urls()[name], tenant_a, slug="no-such-org")
    method = "post" if ORG_PAGES[name].post_only else "get"
    assert getattr(client_for(cast["admin"]), method)(url).status_code == 404


@pytest.mark.parametrize(
    "name", [n for n in ORG_URL_NAMES if len(url_parameters(org_urls()[n])) > 1]
)
def test_object_of_another_organisation_under_our_slug_is_404_even_for_admin(
    name: str, cast: dict[str, User], tenant_a: Tenant, tenant_b: Tenant, client_for: Any
) -> None:
    """A person/membership/import id from organisation B under /o/acme/… does not exist."""
    url = fill(name, org_urls()[name], tenant_b, slug=tenant_a.organisation.slug)
    method = "post" if ORG_PAGES[name].post_only else "get"
    response = getattr(client_for(cast["admin"]), method)(url)
    assert response.status_code == 404, (name, response.status_code)
    # …and nothing was changed in organisation B.
    tenant_b.person.refresh_from_db()
    assert tenant_b.person.is_active
    tenant_b.membership.refresh_from_db()
    assert Membership.objects.filter(pk=tenant_b.membership.pk).exists()
    tenant_b.person_import.refresh_from_db()
    assert tenant_b.person_import.status == PersonImport.Status.PREVIEWED
    tenant_b.enrolment.refresh_from_db()
    assert tenant_b.enrolment.status == "active"
    tenant_b.programme.refresh_from_db()
    assert tenant_b.programme.stage == "enrolling"


def test_person_of_org_b_under_org_a_slug_is_404_for_org_a_admin(
    cast: dict[str, User], tenant_b: Tenant, client_for: Any
) -> None:
    url = reverse("people:detail", args=["acme", tenant_b.person.pk])
    response = client_for(cast["admin"]).get(url)
    assert response.status_code == 404
    assert tenant_b.person.name not in response.content.decode()


ALLOWED_LOW_ROLES = {MEMBER: {"member", "manager"}, MANAGERS: {"manager"}, ADMINS: set()}


@pytest.mark.parametrize(
    ("name", "role"),
    [
        (name, role)
        for name in ORG_URL_NAMES
        for role in ("member", "manager")
        if role not in ALLOWED_LOW_ROLES[ORG_PAGES[name].role]
    ],
)
def test_low_roles_get_403(
    name: str, role: str, cast: dict[str, User], tenant_a: Tenant, client_for: Any
) -> None:
    page = ORG_PAGES[name]
    url = fill(name, org_urls()[name], tenant_a)
    for method in ("post",) if page.post_only else ("get", "post"):
        response = getattr(client_for(cast[role]), method)(url)
        assert response.status_code == 403, (name, role, method, response.status_code)


@pytest.mark.parametrize("name", [n for n in ORG_URL_NAMES if not ORG_PAGES[n].post_only])
def test_allowed_roles_can_open_every_get_page(
    name: str, cast: dict[str, User], tenant_a: Tenant, client_for: Any
) -> None:
    page = ORG_PAGES[name]
    user = {MEMBER: cast["member"], MANAGERS: cast["manager"], ADMINS: cast["admin"]}[page.role]
    url = fill(name, org_urls()[name], tenant_a)
    assert client_for(user).get(url).status_code == 200


@pytest.mark.parametrize(
    "name", sorted(n for n, kind in OTHER_PAGES.items() if kind == "signed-in")
)
def test_anonymous_is_sent_to_sign_in_from_account_pages(
    name: str, cast: dict[str, User], client_for: Any
) -> None:
    route = project_urls()[name]
    kwargs = {}
    if "token_id" in url_parameters(route):
        token = ApiToken.objects.create(
            user=cast["admin"], name="x", prefix="alg_x", token_hash="0" * 64
        )
        kwargs["token_id"] = token.pk
    url = reverse(name, kwargs=kwargs)
    response = client_for(None).post(url) if kwargs else client_for(None).get(url)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("accounts:login")


def test_outsider_cannot_revoke_someone_elses_token(cast: dict[str, User], client_for: Any) -> None:
    token = ApiToken.objects.create(
        user=cast["admin"], name="mine", prefix="alg_mine", token_hash="1" * 64
    )
    response = client_for(cast["outsider"]).post(
        reverse("accounts:revoke_api_token", args=[token.pk])
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_home_never_offers_another_organisation(cast: dict[str, User], client_for: Any) -> None:
    response = client_for(cast["outsider"]).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home:organisation", args=["other"])


# --- API -------------------------------------------------------------------------------

# Every operation of /api/v1/: the lowest role that may call it ("user" for
# operations about the caller themselves) and a valid request body, so that an outsider
# reaches the tenant check rather than failing input validation.
CSV = "email,name\r\nnew.person@acme.test,New Person\r\n"


PROGRAMME = "/api/v1/organisations/{org_slug}/programmes/{programme_id}"
RELATIONSHIP = "/api/v1/organisations/{org_slug}/relationships/{relationship_id}"
MEETING = "/api/v1/organisations/{org_slug}/meetings/{meeting_id}"
WEBHOOK = "/api/v1/organisations/{org_slug}/webhooks/{endpoint_id}"
CHAT = "/api/v1/organisations/{org_slug}/chat"


@dataclass(frozen=True)
class Operation:
    role: str  # user | member | managers | admins
    body: Any = None
    upload: bool = False


API_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/me"): Operation("user"),
    ("PATCH", "/api/v1/me"): Operation("user", {"language": "hi"}),
    ("GET", "/api/v1/me/languages"): Operation("user"),
    ("GET", "/api/v1/tokens"): Operation("user"),
    ("POST", "/api/v1/tokens"): Operation("user", {"name": "ci"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Operation("user"),
    ("GET", "/api/v1/organisations"): Operation("user"),
    ("GET", "/api/v1/me/email-preferences"): Operation("user"),
    ("PUT", "/api/v1/me/email-preferences"): Operation("user", {"frequency": "daily"}),
    ("GET", "/api/v1/me/channel-preferences"): Operation("user"),
    ("PUT", "/api/v1/me/channel-preferences"): Operation("user", {"chosen": {}}),
    ("GET", "/api/v1/organisations/{org_slug}"): Operation(MEMBER),
    ("PATCH", "/api/v1/organisations/{org_slug}"): Operation(ADMINS, {"name": "Hacked"}),
    ("GET", "/api/v1/organisations/{org_slug}/memberships"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/lockouts"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/lockouts/unlock"): Operation(
        ADMINS, {"email": "ravi.member@acme.test"}
    ),
    ("GET", "/api/v1/organisations/{org_slug}/service-tokens"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/service-tokens"): Operation(
        ADMINS, {"name": "intruder", "role": "admin", "expires_at": "2099-01-01T00:00:00Z"}
    ),
    ("DELETE", "/api/v1/organisations/{org_slug}/service-tokens/{token_id}"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/sso"): Operation(ADMINS),
    ("PUT", "/api/v1/organisations/{org_slug}/sso"): Operation(
        ADMINS, {"protocol": "oidc", "email_domains": ["intruder.test"]}
    ),
    ("DELETE", "/api/v1/organisations/{org_slug}/sso"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/sso/enabled"): Operation(ADMINS, {"enabled": True}),
    ("POST", "/api/v1/organisations/{org_slug}/sso/required"): Operation(
        ADMINS, {"required": True}
    ),
    ("GET", "/api/v1/organisations/{org_slug}/emails"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/emails/{email_id}/retry"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/memberships"): Operation(
        ADMINS, {"email": "olivia.outsider@other.test", "role": "admin"}
    ),
    ("PATCH", "/api/v1/organisations/{org_slug}/memberships/{membership_id}"): Operation(
        ADMINS, {"role": "member"}
    ),
    ("DELETE", "/api/v1/organisations/{org_slug}/memberships/{membership_id}"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/people"): Operation(MEMBER),
    ("POST", "/api/v1/organisations/{org_slug}/people"): Operation(
        ADMINS, {"name": "Intruder", "email": "intruder@acme.test"}
    ),
    ("GET", "/api/v1/organisations/{org_slug}/people/{person_id}"): Operation(MEMBER),
    ("PATCH", "/api/v1/organisations/{org_slug}/people/{person_id}"): Operation(
        ADMINS, {"name": "Renamed"}
    ),
    ("POST", "/api/v1/organisations/{org_slug}/people/{person_id}/deactivate"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/people/{person_id}/reactivate"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/people/{person_id}/reporting-line"): Operation(
        MANAGERS
    ),
    ("GET", "/api/v1/organisations/{org_slug}/people/export"): Operation(MEMBER),
    ("GET", "/api/v1/organisations/{org_slug}/me/profile"): Operation(MEMBER),
    ("PATCH", "/api/v1/organisations/{org_slug}/me/profile"): Operation(MEMBER, {"offers": "x"}),
    ("POST", "/api/v1/organisations/{org_slug}/people/{person_id}/invite"): Operation(MANAGERS),
    ("POST", "/api/v1/organisations/{org_slug}/people/import"): Operation(ADMINS, upload=True),
    ("GET", "/api/v1/organisations/{org_slug}/people/imports/{import_id}"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/people/invitations"): Operation(
        MANAGERS, {"person_ids": []}
    ),
    # Personal data rights: one's own download; the organisation's export and erasure.
    ("POST", "/api/v1/organisations/{org_slug}/me/data-export"): Operation(MEMBER),
    ("POST", "/api/v1/organisations/{org_slug}/data-export"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/people/{person_id}/erasure"): Operation(
        ADMINS, {"confirmation": "x"}
    ),
    ("POST", "/api/v1/organisations/{org_slug}/erasure"): Operation(ADMINS, {"confirmation": "x"}),
    ("GET", "/api/v1/organisations/{org_slug}/data-requests"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/data-requests/{data_request_id}"): Operation(MEMBER),
    ("GET", "/api/v1/organisations/{org_slug}/data-requests/{data_request_id}/download"): (
        Operation(MEMBER)
    ),
    # Provisioning: the organisation's SCIM tokens, admins only.
    ("GET", "/api/v1/organisations/{org_slug}/scim-tokens"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/scim-tokens"): Operation(ADMINS, {"name": "x"}),
    ("POST", "/api/v1/organisations/{org_slug}/scim-tokens/{token_id}/rotate"): Operation(ADMINS),
    ("DELETE", "/api/v1/organisations/{org_slug}/scim-tokens/{token_id}"): Operation(ADMINS),
    # Programmes: members reach only those they take part in; "managers" here means the
    # programme's own managers (the tenant's programme manager is one of them).
    ("GET", "/api/v1/organisations/{org_slug}/programmes"): Operation(MEMBER),
    ("POST", "/api/v1/organisations/{org_slug}/programmes"): Operation(
        MANAGERS, {"name": "Intruder", "format": "peer_pairs"}
    ),
    ("GET", PROGRAMME): Operation(MEMBER),
    ("PATCH", PROGRAMME): Operation(MANAGERS, {"name": "Renamed"}),
    ("POST", f"{PROGRAMME}/stage"): Operation(MANAGERS, {"to": "draft"}),
    ("GET", f"{PROGRAMME}/managers"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/managers"): Operation(MANAGERS, {"emails": []}),
    ("GET", f"{PROGRAMME}/enrolments"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/enrolments"): Operation(MANAGERS, {"person_ids": []}),
    ("POST", f"{PROGRAMME}/enrolments/import"): Operation(MANAGERS, upload=True),
    ("POST", f"{PROGRAMME}/enrolments/{{enrolment_id}}/withdraw"): Operation(
        MANAGERS, {"reason": "x"}
    ),
    ("POST", f"{PROGRAMME}/self-enrolment"): Operation(MANAGERS, {"open": False}),
    ("POST", f"{PROGRAMME}/reminders"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/invitations"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/intake"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/intake"): Operation(MEMBER, {"goals": "x", "complete": False}),
    ("POST", "/api/v1/organisations/{org_slug}/programmes/join/{token}"): Operation(MEMBER, {}),
    # Matching and a programme's relationships: the programme's managers only.
    # Participant choice: managers set it; participants choose for themselves.
    ("GET", f"{PROGRAMME}/choice-settings"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/choice-settings"): Operation(MANAGERS, {"mode": "two_sided"}),
    ("POST", f"{PROGRAMME}/choice-settings/picking/open"): Operation(
        MANAGERS, {"close_at": "2099-01-01T10:00:00+00:00"}
    ),
    ("POST", f"{PROGRAMME}/choice-settings/picking/close"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/suggestions"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/bookmarks/{{enrolment_id}}"): Operation(MEMBER),
    ("DELETE", f"{PROGRAMME}/bookmarks/{{enrolment_id}}"): Operation(MEMBER),
    ("GET", f"{PROGRAMME}/match-requests"): Operation(MEMBER),
    ("POST", f"{PROGRAMME}/match-requests"): Operation(
        MEMBER, {"recipient_enrolment_id": 1, "message": ""}
    ),
    ("POST", f"{PROGRAMME}/match-requests/{{match_request_id}}/accept"): Operation(MEMBER),
    ("POST", f"{PROGRAMME}/match-requests/{{match_request_id}}/decline"): Operation(
        MEMBER, {"reply": ""}
    ),
    ("POST", f"{PROGRAMME}/match-requests/{{match_request_id}}/withdraw"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/hybrid-pick"): Operation(MEMBER, {"enrolment_id": None}),
    # Flash rounds: managers plan and pair; participants skip and answer the pulse.
    ("GET", f"{PROGRAMME}/flash-rounds"): Operation(MEMBER),
    ("POST", f"{PROGRAMME}/flash-rounds"): Operation(MANAGERS, {"meets_at": None}),
    ("POST", f"{PROGRAMME}/flash-rounds/{{round_id}}/pair"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/flash-rounds/{{round_id}}/skip"): Operation(MEMBER, {"skip": True}),
    ("PUT", f"{PROGRAMME}/flash-rounds/{{round_id}}/pulse"): Operation(
        MEMBER, {"useful": 4, "learned": True}
    ),
    ("GET", f"{PROGRAMME}/learning"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/learning/apply"): Operation(MANAGERS, {"target_programme_id": 1}),
    ("GET", f"{PROGRAMME}/match-runs"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/match-runs"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/match-runs/compare"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/match-runs/{{run_id}}"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/match-runs/{{run_id}}/groups"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/match-runs/{{run_id}}/unmatched"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/match-runs/{{run_id}}/move"): Operation(
        MANAGERS, {"enrolment_id": 0, "group_number": None}
    ),
    ("POST", f"{PROGRAMME}/match-runs/{{run_id}}/swap"): Operation(
        MANAGERS, {"first_enrolment_id": 0, "second_enrolment_id": 0}
    ),
    ("POST", f"{PROGRAMME}/match-runs/{{run_id}}/publish"): Operation(
        MANAGERS, {"keep_matching": False}
    ),
    ("POST", f"{PROGRAMME}/match-runs/{{run_id}}/discard"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/pairing-rules"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/pairing-rules"): Operation(
        MANAGERS, {"kind": "forbid", "first_enrolment_id": 0, "second_enrolment_id": 0}
    ),
    ("DELETE", f"{PROGRAMME}/pairing-rules/{{rule_id}}"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/relationships"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/relationships/{{relationship_id}}/members"): Operation(
        MANAGERS, {"enrolment_id": 0}
    ),
    ("GET", f"{PROGRAMME}/rematch-requests"): Operation(MANAGERS),
    # Nudges: the programme's managers switch them and read the send log.
    ("GET", f"{PROGRAMME}/nudges"): Operation(MANAGERS),
    ("PATCH", f"{PROGRAMME}/nudges"): Operation(MANAGERS, {"enabled": {"meeting_tomorrow": False}}),
    ("GET", f"{PROGRAMME}/nudge-deliveries"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/rematch-requests/{{request_id}}/resolve"): Operation(
        MANAGERS, {"rematch": False, "note": ""}
    ),
    # The participant's own relationships; another's is a 404 like another tenant's.
    ("GET", "/api/v1/organisations/{org_slug}/relationships/mine"): Operation(MEMBER),
    ("GET", "/api/v1/organisations/{org_slug}/home"): Operation(MEMBER),
    ("PATCH", RELATIONSHIP): Operation(MEMBER, {"name": "Tuesday crew"}),
    # Dashboards and relationship health: the programme's managers (and admins) only.
    ("GET", "/api/v1/organisations/{org_slug}/dashboard"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/dashboard"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/outcomes.pdf"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/summary.pdf"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/health/refresh"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/health-thresholds"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/health-thresholds"): Operation(MANAGERS, {"grace_days": 3}),
    ("GET", f"{PROGRAMME}/relationships/{{relationship_id}}/health"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/relationships/{{relationship_id}}/interventions"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/relationships/{{relationship_id}}/interventions"): Operation(
        MANAGERS, {"kind": "note", "message": "x"}
    ),
    ("POST", "/api/v1/organisations/{org_slug}/relationships/{relationship_id}/rematch-requests"): (
        Operation(MEMBER, {"reason": "x"})
    ),
    # A relationship in motion: its members act; its programme's managers only read.
    ("GET", RELATIONSHIP): Operation(MEMBER),
    ("GET", f"{RELATIONSHIP}/agreement"): Operation(MEMBER),
    ("PUT", f"{RELATIONSHIP}/agreement"): Operation(MEMBER, {"rhythm_note": "x"}),
    ("GET", f"{RELATIONSHIP}/goals"): Operation(MEMBER),
    ("PUT", f"{RELATIONSHIP}/goals"): Operation(MEMBER, {"goals": ["x"]}),
    ("GET", f"{RELATIONSHIP}/meetings"): Operation(MEMBER),
    ("GET", f"{RELATIONSHIP}/commitments"): Operation(MEMBER),
    ("GET", f"{RELATIONSHIP}/closing"): Operation(MEMBER),
    ("POST", f"{RELATIONSHIP}/closing"): Operation(MEMBER, {"choice": "continue"}),
    ("GET", MEETING): Operation(MEMBER),
    ("GET", f"{MEETING}/notes"): Operation(MEMBER),
    ("POST", f"{MEETING}/notes"): Operation(MEMBER, {"body": "x"}),
    ("PATCH", f"{MEETING}/notes/{{note_id}}"): Operation(MEMBER, {"body": "y"}),
    ("DELETE", f"{MEETING}/notes/{{note_id}}"): Operation(MEMBER),
    ("POST", f"{MEETING}/commitment"): Operation(MEMBER, {"text": "x"}),
    ("POST", f"{MEETING}/check-ins"): Operation(MEMBER, {"commitment_id": 0, "status": "done"}),
    ("GET", f"{MEETING}/facilitation"): Operation(MEMBER),
    ("GET", f"{MEETING}/calendar.ics"): Operation(MEMBER),
    ("PUT", f"{MEETING}/facilitator"): Operation(MEMBER, {"member_id": None}),
    ("POST", f"{MEETING}/focus"): Operation(MEMBER, {"member_id": 0}),
    ("GET", f"{PROGRAMME}/session-guides"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/session-guides"): Operation(
        MANAGERS, [{"meeting_number": 1, "title": "x", "body": "y"}]
    ),
    ("POST", f"{PROGRAMME}/session-guides/reset"): Operation(MANAGERS, {"meeting_number": None}),
    # Meeting times: the relationship's members act, its managers read; the feed is the
    # caller's own.
    ("GET", f"{RELATIONSHIP}/schedule"): Operation(MEMBER),
    ("POST", f"{RELATIONSHIP}/schedule/accept"): Operation(MEMBER),
    ("POST", f"{RELATIONSHIP}/schedule/slot"): Operation(
        MEMBER, {"weekday": 1, "start_time": "10:00"}
    ),
    ("GET", f"{RELATIONSHIP}/schedule/meetings"): Operation(MEMBER),
    ("POST", f"{RELATIONSHIP}/schedule/meetings"): Operation(
        MEMBER, {"starts_at": "2020-01-01T10:00:00+00:00"}
    ),
    ("POST", f"{MEETING}/reschedule"): Operation(
        MEMBER, {"starts_at": "2031-01-07T10:00:00+00:00"}
    ),
    ("POST", f"{MEETING}/cancel"): Operation(MEMBER, {"reason": ""}),
    ("POST", f"{MEETING}/outcome"): Operation(MEMBER, {"status": "held"}),
    ("POST", f"{MEETING}/apologies"): Operation(MEMBER, {"attending": False}),
    ("GET", "/api/v1/organisations/{org_slug}/calendar-feed"): Operation(MEMBER),
    ("POST", "/api/v1/organisations/{org_slug}/calendar-feed/renew"): Operation(MEMBER),
    # Slack and Teams: admins.
    ("GET", f"{CHAT}"): Operation(ADMINS),
    ("POST", f"{CHAT}/slack/install"): Operation(ADMINS),
    ("PATCH", f"{CHAT}/slack"): Operation(ADMINS, {"announce_matches": False}),
    ("DELETE", f"{CHAT}/slack"): Operation(ADMINS),
    ("PUT", f"{CHAT}/teams-bot"): Operation(ADMINS, {"app_id": "a", "app_password": "b"}),
    ("DELETE", f"{CHAT}/teams-bot"): Operation(ADMINS),
    ("POST", f"{CHAT}/teams-channels"): Operation(
        ADMINS, {"name": "x", "url": "https://example.org/hook"}
    ),
    ("DELETE", f"{CHAT}/teams-channels/{{webhook_id}}"): Operation(ADMINS),
    ("GET", f"{CHAT}/announcements"): Operation(ADMINS),
    # The scheduled HR sync: admins.
    ("GET", "/api/v1/organisations/{org_slug}/hr-sync"): Operation(ADMINS),
    ("PUT", "/api/v1/organisations/{org_slug}/hr-sync"): Operation(
        ADMINS, {"kind": "https", "url": "https://hr.example.org/people.csv"}
    ),
    ("DELETE", "/api/v1/organisations/{org_slug}/hr-sync"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/hr-sync/forget-host-key"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/hr-sync/runs"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/hr-sync/runs"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/hr-sync/runs/{sync_run_id}"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/hr-sync/runs/{sync_run_id}/confirm"): Operation(
        ADMINS
    ),
    ("POST", "/api/v1/organisations/{org_slug}/hr-sync/runs/{sync_run_id}/discard"): Operation(
        ADMINS
    ),
    # Video links: accounts for admins, a programme's default for its managers, a
    # relationship's choice for its members (its managers may read it).
    ("GET", "/api/v1/organisations/{org_slug}/video-accounts"): Operation(ADMINS),
    ("PUT", "/api/v1/organisations/{org_slug}/video-accounts/{provider}"): Operation(
        ADMINS, {"account_id": "a", "client_id": "b", "client_secret": "c"}
    ),
    ("DELETE", "/api/v1/organisations/{org_slug}/video-accounts/{provider}"): Operation(ADMINS),
    ("GET", f"{PROGRAMME}/video"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/video"): Operation(MANAGERS, {"provider": "none"}),
    ("GET", f"{RELATIONSHIP}/video"): Operation(MEMBER),
    ("PUT", f"{RELATIONSHIP}/video"): Operation(MEMBER, {"choice": "programme"}),
    # Surveys, check-ins, outcomes and closing: the programme's managers; participants
    # answer their own programme's surveys and pulses and see their own before/after.
    ("GET", f"{PROGRAMME}/surveys"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/surveys/{{survey_id}}"): Operation(MEMBER),
    ("PATCH", f"{PROGRAMME}/surveys/{{survey_id}}"): Operation(MANAGERS, {"closes_at": None}),
    ("POST", f"{PROGRAMME}/surveys/{{survey_id}}/open"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/surveys/{{survey_id}}/close"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/surveys/{{survey_id}}/questions"): Operation(
        MANAGERS, {"kind": "text", "text": "x"}
    ),
    ("PATCH", f"{PROGRAMME}/surveys/{{survey_id}}/questions/{{question_id}}"): Operation(
        MANAGERS, {"text": "x"}
    ),
    ("DELETE", f"{PROGRAMME}/surveys/{{survey_id}}/questions/{{question_id}}"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/surveys/{{survey_id}}/my-response"): Operation(MEMBER),
    ("PUT", f"{PROGRAMME}/surveys/{{survey_id}}/my-response"): Operation(MEMBER, {"answers": []}),
    ("GET", f"{PROGRAMME}/check-ins"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/check-ins"): Operation(MANAGERS, {"meeting_pulse": True}),
    ("POST", f"{PROGRAMME}/check-ins/midpoint"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/outcomes"): Operation(MANAGERS),
    ("GET", f"{PROGRAMME}/outcomes/mine"): Operation(MEMBER),
    ("GET", f"{PROGRAMME}/survey-data"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/survey-data/exports"): Operation(MANAGERS),
    ("GET", "/api/v1/organisations/{org_slug}/exports/{export_id}"): Operation(MEMBER),
    ("GET", "/api/v1/organisations/{org_slug}/exports/{export_id}/file"): Operation(MEMBER),
    ("GET", f"{PROGRAMME}/closing"): Operation(MANAGERS),
    ("PUT", f"{PROGRAMME}/closing/session"): Operation(
        MANAGERS, {"session_at": "2099-01-01T10:00:00", "timezone": "UTC"}
    ),
    ("POST", f"{PROGRAMME}/closing/survey"): Operation(MANAGERS),
    ("POST", f"{PROGRAMME}/closing/close"): Operation(MANAGERS),
    ("GET", "/api/v1/organisations/{org_slug}/surveys/mine"): Operation(MEMBER),
    ("POST", "/api/v1/organisations/{org_slug}/relationships/{relationship_id}/pulses"): (
        Operation(MEMBER, {"kind": "midpoint", "rating": 3})
    ),
    # Webhooks: the organisation's admins.
    ("GET", "/api/v1/organisations/{org_slug}/webhook-events"): Operation(ADMINS),
    ("GET", "/api/v1/organisations/{org_slug}/webhooks"): Operation(ADMINS),
    ("POST", "/api/v1/organisations/{org_slug}/webhooks"): Operation(
        ADMINS, {"url": "https://example.org/hook", "event_types": ["meeting.held"]}
    ),
    ("GET", WEBHOOK): Operation(ADMINS),
    ("PATCH", WEBHOOK): Operation(ADMINS, {"description": "x"}),
    ("DELETE", WEBHOOK): Operation(ADMINS),
    ("POST", f"{WEBHOOK}/rotate-secret"): Operation(ADMINS),
    ("POST", f"{WEBHOOK}/test"): Operation(ADMINS),
    ("GET", f"{WEBHOOK}/deliveries"): Operation(ADMINS),
    ("POST", f"{WEBHOOK}/deliveries/{{delivery_id}}/retry"): Operation(ADMINS),
}


def schema_operations(client: Any) -> set[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def org_operations() -> list[tuple[str, str]]:
    return sorted(key for key in API_OPERATIONS if "{org_slug}" in key[1])


def api_call(
    api: Any,
    key: tuple[str, str],
    tenant: Tenant,
    slug: str | None = None,
    token_id: int | None = None,
) -> Any:
    method, template = key
    operation = API_OPERATIONS[key]
    path = (
        template.replace("{org_slug}", slug or tenant.organisation.slug)
        .replace("{person_id}", str(tenant.person.pk))
        .replace("{membership_id}", str(tenant.membership.pk))
        .replace("{import_id}", str(tenant.person_import.pk))
        .replace("{token_id}", str(token_id or 0))
        .replace("{programme_id}", str(tenant.programme.pk))
        .replace("{enrolment_id}", str(tenant.enrolment.pk))
        .replace("{token}", tenant.programme.self_enrol_token)
        .replace("{run_id}", str(tenant.run.pk))
        .replace("{rule_id}", str(tenant.rule.pk))
        .replace("{relationship_id}", str(tenant.relationship.pk))
        .replace("{request_id}", str(tenant.rematch_request.pk))
        .replace("{meeting_id}", str(tenant.meeting.pk))
        .replace("{note_id}", str(tenant.note.pk))
        .replace("{survey_id}", str(tenant.survey.pk))
        .replace("{question_id}", str(tenant.question.pk))
        .replace("{endpoint_id}", str(tenant.endpoint.pk))
        .replace("{delivery_id}", str(tenant.delivery.pk))
        .replace("{data_request_id}", str(tenant.data_request.pk))
        .replace("{email_id}", str(tenant.email.pk))
        .replace("{export_id}", str(tenant.export.pk))
        .replace("{provider}", "zoom")
        .replace("{sync_run_id}", str(tenant.sync_run.pk))
        .replace("{webhook_id}", str(tenant.teams_webhook.pk))
        .replace("{match_request_id}", str(tenant.match_request.pk))
        .replace("{round_id}", str(tenant.flash_round.pk))
    )
    assert "{" not in path, f"{key}: no test value for a path parameter in {path}"
    if operation.upload:
        upload = SimpleUploadedFile("people.csv", CSV.encode(), content_type="text/csv")
        return api.post(path, files={"file": upload})
    if method == "GET":
        return api.get(path)
    if method == "DELETE":
        return api.delete(path)
    if method == "PUT" and not hasattr(api, "put"):
        return api.request("PUT", path, operation.body or {})
    return getattr(api, method.lower())(path, operation.body or {})


def assert_json_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["problems"] == []


def test_every_api_operation_has_an_access_rule(client: Any) -> None:
    documented = schema_operations(client)
    missing = documented - set(API_OPERATIONS)
    assert not missing, (
        f"New API operation(s) {sorted(missing)}: add them to API_OPERATIONS in "
        "tests/test_access.py so their access rules are tested."
    )
    assert set(API_OPERATIONS) - documented == set(), "stale entries in API_OPERATIONS"


def test_every_api_url_is_an_operation_or_the_schema(client: Any) -> None:
    """Each API URL pattern is either in the OpenAPI schema or one of ninja's own pages."""
    documented_paths = {path for _method, path in schema_operations(client)}
    for route, name in walk_urls():
        if not name.startswith("api:"):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if name in {"api:openapi-json", "api:openapi-view", "api:api-root"}:
            continue
        assert path in documented_paths, (name, path)


@pytest.mark.parametrize("key", org_operations(), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_outsider_gets_404(
    key: tuple[str, str], cast: dict[str, User], tenant_a: Tenant, api_for: Any
) -> None:
    before = Person.objects.filter(organisation=tenant_a.organisation).count()
    response = api_call(api_for(cast["outsider"]), key, tenant_a)
    assert_json_error(response, 404, "not_found")
    assert Person.objects.filter(organisation=tenant_a.organisation).count() == before
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.name == "Acme India"


@pytest.mark.parametrize("key", org_operations(), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_outsider_with_a_session_gets_404(
    key: tuple[str, str], cast: dict[str, User], tenant_a: Tenant, client_for: Any
) -> None:
    """The browser session is also an API credential; it is scoped the same way."""

    class SessionApi:
        def __init__(self, client: Any) -> None:
            self.client = client

        def get(self, path: str) -> Any:
            return self.client.get(path)

        def delete(self, path: str) -> Any:
            return self.client.delete(path)

        def post(self, path: str, data: Any = None, files: Any = None) -> Any:
            if files is not None:
                return self.client.post(path, data=files)
            return self.client.post(path, data, content_type="application/json")

        def patch(self, path: str, data: Any) -> Any:
            return self.client.patch(path, data, content_type="application/json")

        def put(self, path: str, data: Any) -> Any:
            return self.client.put(path, data, content_type="application/json")

    response = api_call(SessionApi(client_for(cast["outsider"])), key, tenant_a)
    assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("key", sorted(API_OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_without_token_gets_401(key: tuple[str, str], tenant_a: Tenant, api_for: Any) -> None:
    response = api_call(api_for(None), key, tenant_a)
    assert_json_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("key", sorted(API_OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_with_a_wrong_or_revoked_token_gets_401(
    key: tuple[str, str], cast: dict[str, User], tenant_a: Tenant
) -> None:
    from tests.conftest import ApiClient

    assert_json_error(
        api_call(ApiClient("alg_not-a-real-token"), key, tenant_a), 401, "unauthenticated"
    )


@pytest.mark.parametrize("key", org_operations(), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_unknown_organisation_is_404_for_everyone(
    key: tuple[str, str], cast: dict[str, User], tenant_a: Tenant, api_for: Any
) -> None:
    response = api_call(api_for(cast["admin"]), key, tenant_a, slug="no-such-org")
    assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "key",
    [
        k
        for k in org_operations()
        if any(
            p in k[1]
            for p in (
                "{person_id}",
                "{membership_id}",
                "{programme_id}",
                "{token}",
                "{relationship_id}",
                "{meeting_id}",
            )
        )
    ],
    ids=lambda k: f"{k[0]} {k[1]}",
)
def test_api_object_of_another_organisation_is_404_even_for_admin(
    key: tuple[str, str], cast: dict[str, User], tenant_a: Tenant, tenant_b: Tenant, api_for: Any
) -> None:
    response = api_call(api_for(cast["admin"]), key, tenant_b, slug="acme")
    assert_json_error(response, 404, "not_found")
    tenant_b.person.refresh_from_db()
    assert tenant_b.person.is_active
    assert tenant_b.person.name == "Nobody Signed-In"
    assert Membership.objects.filter(pk=tenant_b.membership.pk, role="admin").exists()


@pytest.mark.parametrize(
    ("key", "role"),
    [
        (key, role)
        for key in org_operations()
        for role in ("member", "manager")
        if role not in ALLOWED_LOW_ROLES[API_OPERATIONS[key].role]
    ],
    ids=lambda v: f"{v[0]} {v[1]}" if isinstance(v, tuple) else v,
)
def test_api_low_roles_get_403(
    key: tuple[str, str], role: str, cast: dict[str, User], tenant_a: Tenant, api_for: Any
) -> None:
    response = api_call(api_for(cast[role]), key, tenant_a)
    assert_json_error(response, 403, "forbidden")


def test_api_outsider_sees_only_their_own_organisations(
    cast: dict[str, User], api_for: Any
) -> None:
    response = api_for(cast["outsider"]).get("/api/v1/organisations")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()["items"]] == ["other"]
    me = api_for(cast["outsider"]).get("/api/v1/me").json()
    assert [m["organisation"] for m in me["memberships"]] == ["other"]


def test_api_cannot_revoke_someone_elses_token(cast: dict[str, User], api_for: Any) -> None:
    token = ApiToken.objects.create(
        user=cast["admin"], name="theirs", prefix="alg_theirs", token_hash="2" * 64
    )
    response = api_for(cast["outsider"]).delete(f"/api/v1/tokens/{token.pk}")
    assert_json_error(response, 404, "not_found")
    token.refresh_from_db()
    assert token.revoked_at is None


# --- SCIM ----------------------------------------------------------------------------

SCIM_ROUTES = sorted(n for n, kind in OTHER_PAGES.items() if kind == "scim")


def scim_path(name: str, slug: str, tenant: Tenant) -> str:
    route = project_urls()[name]
    values = {"org_slug": slug, "resource_id": str(tenant.person.pk)}
    values |= {"schema_id": "urn:ietf:params:scim:schemas:core:2.0:User", "type_id": "User"}
    return reverse(name, kwargs={p: values[p] for p in url_parameters(route)})


@pytest.mark.parametrize("name", SCIM_ROUTES)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_scim_endpoint_needs_its_own_organisations_token(
    name: str,
    method: str,
    cast: dict[str, User],
    tenant_a: Tenant,
    tenant_b: Tenant,
    client_for: Any,
) -> None:
    """No token (or a session, or a personal API token) is a 401; organisation B's SCIM
    token on A's endpoint is a 404, as for an unknown organisation; nothing changes."""
    url = scim_path(name, "acme", tenant_a)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}
    for client, headers in (
        (client_for(None), {}),
        (client_for(cast["admin"]), {}),
        (
            client_for(None),
            {"Authorization": "Bearer " + api_token_create(user=cast["admin"], name="x")[1]},
        ),
    ):
        response = getattr(client, method)(
            url, body, content_type="application/scim+json", headers=headers
        )
        assert response.status_code == 401, (name, method, response.status_code)
    _token, secret_b = scim_token_create(
        organisation=tenant_b.organisation, actor=cast["outsider"], name="B"
    )
    response = getattr(client_for(None), method)(
        url,
        body,
        content_type="application/scim+json",
        headers={"Authorization": f"Bearer {secret_b}"},
    )
    assert response.status_code == 404, (name, method, response.status_code)
    assert "Acme" not in response.content.decode()
    tenant_a.person.refresh_from_db()
    assert tenant_a.person.is_active
    assert tenant_a.person.name == "Nobody Signed-In"
