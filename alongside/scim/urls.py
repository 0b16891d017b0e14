"""The SCIM 2.0 protocol endpoint of each organisation (RFC 7644 §3.2)."""

from django.urls import path

from alongside.scim import views

app_name = "scim"

urlpatterns = [
    path("<slug:org_slug>/Users", views.users, name="users"),
    path("<slug:org_slug>/Users/<str:resource_id>", views.user, name="user"),
    path("<slug:org_slug>/Groups", views.groups, name="groups"),
    path("<slug:org_slug>/Groups/<str:resource_id>", views.group, name="group"),
    path("<slug:org_slug>/Schemas", views.schemas, name="schemas"),
    path("<slug:org_slug>/Schemas/<str:schema_id>", views.schemas, name="schema"),
    path("<slug:org_slug>/ResourceTypes", views.resource_types, name="resource_types"),
    path("<slug:org_slug>/ResourceTypes/<str:type_id>", views.resource_types, name="resource_type"),
    path(
        "<slug:org_slug>/ServiceProviderConfig",
        views.service_provider_config,
        name="service_provider_config",
    ),
]
