from django.urls import path

from alongside.selfmatch import views

app_name = "selfmatch"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("settings/", views.manage, name="manage"),
    path("pick/", views.pick, name="pick"),
    path("<int:enrolment_id>/bookmark/", views.bookmark, name="bookmark"),
    path("<int:enrolment_id>/request/", views.send_request, name="request"),
    path("requests/<int:match_request_id>/accept/", views.accept, name="accept"),
    path("requests/<int:match_request_id>/decline/", views.decline, name="decline"),
    path("requests/<int:match_request_id>/withdraw/", views.withdraw, name="withdraw"),
]
