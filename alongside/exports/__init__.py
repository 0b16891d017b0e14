"""Exports: a file made by the worker, with progress, downloaded by whoever asked for it.

An app that has something to export registers a producer under a kind
(:func:`alongside.exports.registry.exporter`); it checks who may export what and audits
the request before calling :func:`alongside.exports.services.export_request`. The worker
writes the rows through ``SafeCsvWriter``, so no cell runs as a spreadsheet formula.
"""
