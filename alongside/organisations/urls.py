from django.urls import path

from alongside.organisations import access_views, views

app_name = "organisations"

urlpatterns = [
    path("settings/", views.organisation_settings, name="settings"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("audit/", views.audit_log, name="audit"),
    path("settings/access/", access_views.access, name="access"),
    path("settings/access/unlock/", access_views.unlock, name="unlock"),
    path("settings/access/tokens/", access_views.service_token_new, name="service_token_new"),
    path(
        "settings/access/tokens/revoke/",
        access_views.service_token_end,
        name="service_token_revoke",
    ),
    path("emails/", views.emails, name="emails"),
    path("emails/<int:email_id>/retry/", views.email_retry_view, name="email_retry"),
]
