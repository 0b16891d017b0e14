"""API for schedules, meeting times, attendance and calendar feeds."""

from ninja import Router

router = Router(tags=["schedule"])
