"""An HR sync run names people by email in its diff (the privacy walk replaces those) and
may hold the file while it waits for confirmation: a held file naming the person is
dropped, and the run discarded, when they are erased."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data
from alongside.hrsync.models import SyncRun


def export(subject: Subject) -> Mapping[str, Rows]:
    return {}


def erase(subject: Subject) -> Mapping[str, int]:
    dropped = 0
    needle = subject.email.lower().encode()
    held = SyncRun.objects.filter(organisation_id=subject.organisation_id).exclude(content=b"")
    for run in held:
        if needle and needle in bytes(run.content).lower():
            SyncRun.objects.filter(pk=run.pk).update(content=b"", status=SyncRun.Status.DISCARDED)
            dropped += 1
    return {"held_files": dropped}


personal_data("hrsync", export=export, erase=erase)
