from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "alongside.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from alongside.accounts.sign_in_policy import finds_realm, refuses_sign_in
        from alongside.sso.policy import realm, refusal

        refuses_sign_in(refusal)
        finds_realm(realm)
