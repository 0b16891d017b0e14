from django.contrib import admin

from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest


class RelationshipMemberInline(admin.TabularInline[RelationshipMember, Relationship]):
    model = RelationshipMember
    raw_id_fields = ["enrolment", "person"]
    extra = 0


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin[Relationship]):
    list_display = ["name", "programme", "kind", "status", "score", "started_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "programme__name"]
    raw_id_fields = ["organisation", "programme", "match_run"]
    inlines = [RelationshipMemberInline]


@admin.register(RematchRequest)
class RematchRequestAdmin(admin.ModelAdmin[RematchRequest]):
    list_display = ["pk", "relationship", "enrolment", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["relationship", "enrolment", "resolved_by"]
