"""API for relationships in motion: agreement, meetings, notes, commitments, closing."""

from ninja import Router

router = Router(tags=["meetings"])
