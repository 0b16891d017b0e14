from django.urls import path

from alongside.nudges import views

app_name = "nudges"

urlpatterns = [
    path("<int:programme_id>/nudges/", views.programme_settings, name="settings"),
    path("<int:programme_id>/nudges/log/", views.programme_log, name="log"),
]
