from django.urls import path

from alongside.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.report, name="report"),
    path("apply/", views.apply, name="apply"),
]
