from django.urls import path

from alongside.relationships import views

app_name = "relationships"

urlpatterns = [
    path("<int:relationship_id>/rematch/", views.rematch, name="rematch"),
    path("<int:relationship_id>/name/", views.rename, name="rename"),
]
