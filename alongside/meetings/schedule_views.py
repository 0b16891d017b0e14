"""Pages for the schedule: proposed slot, reschedule, cancel, attendance, calendar feed."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
