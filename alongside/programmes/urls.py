from django.urls import path

from alongside.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_new, name="new"),
    path("join/<str:token>/", views.join, name="join"),
    path("<int:programme_id>/", views.programme_detail, name="detail"),
    path("<int:programme_id>/edit/", views.programme_edit, name="edit"),
    path("<int:programme_id>/languages/", views.programme_languages, name="languages"),
    path("<int:programme_id>/stage/", views.programme_stage, name="transition"),
    path("<int:programme_id>/intake/", views.intake, name="intake"),
    path("<int:programme_id>/intake/draft/", views.intake_autosave, name="intake_autosave"),
    path("<int:programme_id>/people/", views.enrolment, name="enrolment"),
    path("<int:programme_id>/people/enrol/", views.enrol, name="enrol"),
    path("<int:programme_id>/people/csv/", views.enrol_csv, name="enrol_csv"),
    path("<int:programme_id>/people/remind/", views.remind, name="remind"),
    path(
        "<int:programme_id>/people/invite/",
        views.invite_not_signed_in,
        name="invite_not_signed_in",
    ),
    path(
        "<int:programme_id>/people/self-enrolment/",
        views.self_enrol_settings,
        name="self_enrol_settings",
    ),
    path(
        "<int:programme_id>/people/<int:enrolment_id>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
]
