from django.contrib import admin

from alongside.people.models import Invitation, Person, PersonImport


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["name", "email", "organisation", "department", "level", "location", "is_active"]
    list_filter = ["organisation", "is_active", "department", "location"]
    search_fields = ["name", "email", "employee_id"]
    raw_id_fields = ["manager", "user"]


@admin.register(PersonImport)
class PersonImportAdmin(admin.ModelAdmin[PersonImport]):
    list_display = ["pk", "organisation", "filename", "status", "row_count", "created_at"]
    list_filter = ["status", "organisation"]
    exclude = ["content"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["user", "organisation", "created_at", "expires_at", "accepted_at"]
    readonly_fields = ["token_hash"]
