"""Member pages of a relationship: agreement, meetings with their guide, notes, commitments."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
