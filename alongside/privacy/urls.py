from django.urls import path

from alongside.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.requests_list, name="requests"),
    path("my-data/", views.my_export, name="my_export"),
    path("export/", views.organisation_export, name="organisation_export"),
    path("erase/", views.erase_organisation, name="erase_organisation"),
    path("people/<int:person_id>/erase/", views.erase_person, name="erase_person"),
    path("requests/<int:data_request_id>/", views.request_detail, name="request"),
    path(
        "requests/<int:data_request_id>/progress/", views.request_progress, name="request_progress"
    ),
    path(
        "requests/<int:data_request_id>/download/", views.request_download, name="request_download"
    ),
]
