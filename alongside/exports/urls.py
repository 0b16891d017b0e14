from django.urls import path

from alongside.exports import views

app_name = "exports"

urlpatterns = [
    path("<int:export_id>/", views.detail, name="detail"),
    path("<int:export_id>/progress/", views.progress, name="progress"),
    path("<int:export_id>/file/", views.download, name="download"),
]
