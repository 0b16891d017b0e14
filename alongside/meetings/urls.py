from alongside.meetings import views

app_name = "meetings"

# My mentoring, relationship and meeting pages: agreement, guides, notes, commitments, closing.
urlpatterns = views.urlpatterns
