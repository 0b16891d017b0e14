from django.urls import path

from alongside.flash import views

app_name = "flash"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("plan/", views.plan, name="plan"),
    path("<int:round_id>/pair/", views.pair, name="pair"),
    path("<int:round_id>/skip/", views.skip, name="skip"),
    path("<int:round_id>/pulse/", views.pulse, name="pulse"),
    path("<int:round_id>/invitation.ics", views.ics, name="ics"),
]
