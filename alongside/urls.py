from django.contrib import admin
from django.urls import include, path

from alongside.api import api
from alongside.chat import views as chat_views
from alongside.core import views as core_views
from alongside.flash import views as flash_views
from alongside.metrics import metrics
from alongside.nudges import views as nudge_views
from alongside.organisations import views as organisation_views
from alongside.scheduling.views import calendar_feed_ics

urlpatterns = [
    path("", organisation_views.choose_organisation, name="home"),
    path("accounts/invitation/", include("alongside.people.invitation_urls")),
    path("accounts/", include("alongside.accounts.urls")),
    path("accounts/email/", nudge_views.email_preferences, name="email_preferences"),
    path("o/<slug:org_slug>/", include("alongside.home.urls")),
    path("o/<slug:org_slug>/", include("alongside.organisations.urls")),
    path("o/<slug:org_slug>/settings/provisioning/", include("alongside.scim.page_urls")),
    path("o/<slug:org_slug>/", include("alongside.sso.urls")),
    path("sso/<slug:org_slug>/", include("alongside.sso.flow_urls")),
    path("o/<slug:org_slug>/people/", include("alongside.people.urls")),
    path("o/<slug:org_slug>/privacy/", include("alongside.privacy.urls")),
    path("o/<slug:org_slug>/programmes/", include("alongside.programmes.urls")),
    path(
        "o/<slug:org_slug>/programmes/<int:programme_id>/matching/",
        include("alongside.matches.urls"),
    ),
    path(
        "o/<slug:org_slug>/programmes/<int:programme_id>/choose/",
        include("alongside.selfmatch.urls"),
    ),
    path(
        "o/<slug:org_slug>/programmes/<int:programme_id>/rounds/",
        include("alongside.flash.urls"),
    ),
    path(
        "o/<slug:org_slug>/programmes/<int:programme_id>/learning/",
        include("alongside.learning.urls"),
    ),
    path("o/<slug:org_slug>/programmes/", include("alongside.nudges.urls")),
    path("o/<slug:org_slug>/", include("alongside.dashboards.urls")),
    path("o/<slug:org_slug>/mentoring/", include("alongside.relationships.urls")),
    path("o/<slug:org_slug>/mentoring/", include("alongside.meetings.urls")),
    path("o/<slug:org_slug>/mentoring/", include("alongside.scheduling.urls")),
    path("o/<slug:org_slug>/surveys/", include("alongside.surveys.urls")),
    path("o/<slug:org_slug>/settings/webhooks/", include("alongside.webhooks.urls")),
    path("o/<slug:org_slug>/exports/", include("alongside.exports.urls")),
    path("o/<slug:org_slug>/settings/hr-sync/", include("alongside.hrsync.urls")),
    path("o/<slug:org_slug>/settings/chat/", include("alongside.chat.urls")),
    path("o/<slug:org_slug>/settings/video/", include("alongside.scheduling.video_urls")),
    path("api/v1/", api.urls),
    # Slack's and Teams' callbacks (their own signatures) and the one-click action page.
    path("integrations/", include(chat_views.integration_urlpatterns)),
    # Each organisation's SCIM 2.0 endpoint, for identity providers (its own bearer tokens).
    path("scim/v2/", include("alongside.scim.urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    # Skipping a flash round from its email: the signed link is the credential.
    path("flash/skip/<str:token>/", flash_views.skip_link, name="flash_skip_link"),
    # A private calendar subscription: the secret token in the address is the credential.
    path("calendar/<str:token>.ics", calendar_feed_ics, name="calendar_feed_ics"),
]
