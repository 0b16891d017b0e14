from alongside.scheduling import video_views

app_name = "video"

# Video meeting accounts and each programme's default link (Settings › Video meetings).
urlpatterns = video_views.urlpatterns
