from django.urls import path

from alongside.people import views

app_name = "people"

urlpatterns = [
    path("", views.people_index, name="list"),
    path("new/", views.person_new, name="new"),
    path("me/", views.my_profile, name="me"),
    path("export.csv", views.people_export, name="export"),
    path("invite/", views.people_invite, name="invite_many"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    path("<int:person_id>/edit/", views.person_edit, name="edit"),
    path("<int:person_id>/active/", views.person_active, name="active"),
    path("<int:person_id>/invite/", views.person_invite, name="invite"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:import_id>/", views.import_preview, name="import_preview"),
    path("import/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:import_id>/discard/", views.import_discard, name="import_discard"),
    path("import/template.csv", views.import_template, name="import_template"),
]
