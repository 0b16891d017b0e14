"""Spreadsheet formats, Django-free: read by the Django apps and by the engine's command line."""
