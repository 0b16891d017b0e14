from django.urls import path

from alongside.organisations import views

app_name = "organisations"

urlpatterns = [
    path("settings/", views.organisation_settings, name="settings"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("audit/", views.audit_log, name="audit"),
    path("emails/", views.emails, name="emails"),
    path("emails/<int:email_id>/retry/", views.email_retry_view, name="email_retry"),
]
