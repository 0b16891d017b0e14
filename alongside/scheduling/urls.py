from alongside.scheduling import views

app_name = "scheduling"

# The schedule, meeting times, calendar invitations and subscriptions.
urlpatterns = views.urlpatterns
