from alongside.meetings import schedule_views, views

app_name = "meetings"

urlpatterns = [
    # Relationship and meeting pages: agreement, guides, notes, commitments, closing.
    *views.urlpatterns,
    # Schedule, meeting times, calendar invites and subscriptions.
    *schedule_views.urlpatterns,
]
