from django.urls import path

from alongside.scim import pages

app_name = "provisioning"

urlpatterns = [
    path("", pages.provisioning_settings, name="settings"),
    path("tokens/", pages.token_create, name="token_create"),
    path("tokens/<int:token_id>/rotate/", pages.token_rotate, name="token_rotate"),
    path("tokens/<int:token_id>/revoke/", pages.token_revoke, name="token_revoke"),
]
