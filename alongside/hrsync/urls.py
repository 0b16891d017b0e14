from alongside.hrsync import views

app_name = "hrsync"

urlpatterns = views.urlpatterns
