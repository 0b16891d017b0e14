"""Signing in with an organisation's identity provider (public, under /sso/<slug>/).

These addresses are registered at identity providers, so they never change.
"""

from django.urls import path

from alongside.sso import views

app_name = "sso_flow"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("saml/acs/", views.saml_acs, name="saml_acs"),
    path("saml/acs/finish/", views.saml_finish, name="saml_finish"),
    path("saml/metadata/", views.saml_metadata, name="saml_metadata"),
]
