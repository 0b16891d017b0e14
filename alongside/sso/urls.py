"""The organisation admin's single sign-on settings (under /o/<slug>/)."""

from django.urls import path

from alongside.sso import views

app_name = "sso"

urlpatterns = [
    path("settings/sign-in/", views.sso_settings, name="settings"),
    path("settings/sign-in/switch/", views.sso_switch, name="switch"),
    path("settings/sign-in/try/", views.try_sign_in, name="try"),
]
