from django.urls import include, path

from tests.identity_providers.oidc import views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
]
