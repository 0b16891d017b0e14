from django.urls import path

from alongside.home import views

app_name = "home"

urlpatterns = [
    path("", views.organisation_home, name="organisation"),
]
