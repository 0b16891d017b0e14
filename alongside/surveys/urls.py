from django.urls import path

from alongside.surveys import views

app_name = "surveys"

MANAGE = "programmes/<int:programme_id>/"
SURVEY = MANAGE + "<int:survey_id>/"

urlpatterns = [
    # Participants: my surveys and check-ins, filling one in, my own before/after.
    path("", views.mine, name="mine"),
    path("<int:survey_id>/", views.fill, name="fill"),
    path("checkin/<int:relationship_id>/", views.midpoint, name="midpoint"),
    path("meetings/<int:meeting_id>/pulse/", views.meeting_pulse, name="meeting_pulse"),
    path(MANAGE + "mine/", views.my_results, name="my_results"),
    # Programme managers.
    path(MANAGE, views.setup, name="setup"),
    path(MANAGE + "settings/", views.checkin_settings, name="checkin_settings"),
    path(MANAGE + "midpoint/", views.midpoint_now, name="midpoint_now"),
    path(SURVEY + "questions/", views.question_new, name="question_new"),
    path(SURVEY + "questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        SURVEY + "questions/<int:question_id>/remove/",
        views.question_delete,
        name="question_remove",
    ),
    path(SURVEY + "state/", views.survey_state, name="state"),
    path(SURVEY + "schedule/", views.survey_schedule, name="schedule"),
    path(MANAGE + "outcomes/", views.outcomes, name="outcomes"),
    path(MANAGE + "export.csv", views.export, name="export"),
    path(MANAGE + "closing/", views.closing, name="closing"),
    path(MANAGE + "closing/session/", views.closing_session, name="closing_session"),
    path(MANAGE + "closing/survey/", views.closing_survey, name="closing_survey"),
    path(MANAGE + "closing/close/", views.closing_close, name="closing_close"),
]
