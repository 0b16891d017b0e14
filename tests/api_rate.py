"""Query pins for API requests: on PostgreSQL the API's rate limit counts each request
with one statement (accounts/api_auth.py); on SQLite it counts in the process's memory."""

from __future__ import annotations

from django.db import connection


def rate_count_queries() -> int:
    return 1 if connection.vendor == "postgresql" else 0
