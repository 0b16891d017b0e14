from django.urls import path

from alongside.people import invitation_views

app_name = "invitations"

urlpatterns = [
    path("<str:secret>/", invitation_views.accept_invitation, name="accept"),
]
