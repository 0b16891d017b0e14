from django.urls import path

from alongside.matches import views

app_name = "matches"

urlpatterns = [
    path("", views.review, name="review"),
    path("run/", views.run, name="run"),
    path("compare/", views.compare, name="compare"),
    path("<int:run_id>/", views.run_detail, name="run_detail"),
    path("<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("<int:run_id>/move/", views.move, name="move"),
    path("<int:run_id>/swap/", views.swap, name="swap"),
    path("<int:run_id>/lock/", views.lock_group, name="lock_group"),
    path("<int:run_id>/publish/", views.publish, name="publish"),
    path("<int:run_id>/discard/", views.discard, name="discard"),
    path("people/", views.people_picker, name="people_picker"),
    path("rules/", views.rule, name="rule"),
    path("rules/<int:rule_id>/remove/", views.rule_remove, name="rule_remove"),
    path("relationships/", views.relationships, name="relationships"),
    path(
        "rematch-requests/<int:request_id>/resolve/",
        views.resolve_rematch,
        name="resolve_rematch",
    ),
    path(
        "relationships/<int:relationship_id>/add/",
        views.add_late_joiner,
        name="add_late_joiner",
    ),
]
