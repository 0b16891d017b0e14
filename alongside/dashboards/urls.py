from django.urls import path

from alongside.dashboards import views

app_name = "dashboards"

PROGRAMME = "programmes/<int:programme_id>/dashboard/"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path(PROGRAMME, views.programme_dashboard_page, name="programme"),
    path(PROGRAMME + "refresh/", views.refresh, name="refresh"),
    path(PROGRAMME + "thresholds/", views.thresholds, name="thresholds"),
    path(PROGRAMME + "summary.pdf", views.summary_pdf_view, name="summary_pdf"),
    path(PROGRAMME + "outcomes.pdf", views.outcomes_pdf_view, name="outcomes_pdf"),
    path(
        PROGRAMME + "relationships/<int:relationship_id>/",
        views.relationship_page,
        name="relationship",
    ),
    path(
        PROGRAMME + "relationships/<int:relationship_id>/interventions/",
        views.intervene,
        name="intervene",
    ),
]
