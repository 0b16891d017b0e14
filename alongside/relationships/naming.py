"""Names people recognise: a relationship is called after its members.

"Rohan & Aditya" for a pair (peers, buddies, a mentee and their mentor), "Circle: Akhil,
Meera +3" for a circle, "Zoë's group" for a mentoring group. First names are enough
unless two members share one. Members may choose a name of their own instead
(``Relationship.chosen_name``); this module only makes the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# How many names a circle's name spells out before "+N".
CIRCLE_NAMES_SHOWN = 2
CHOSEN_NAME_MAX = 80


@dataclass(frozen=True)
class NamedMember:
    name: str
    role: str  # peer | mentor | mentee


def first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else full_name


def _short_names(names: Sequence[str]) -> list[str]:
    """First names, or full names for everyone whose first name someone else shares."""
    firsts = [first_name(n) for n in names]
    return [
        full if firsts.count(short) > 1 else short
        for full, short in zip(names, firsts, strict=True)
    ]


def default_name(kind: str, members: Sequence[NamedMember]) -> str:
    """The name a relationship of this kind takes from its members."""
    mentors = sorted(m.name for m in members if m.role == "mentor")
    others = sorted(m.name for m in members if m.role != "mentor")
    if kind == "group" and mentors:
        (mentor,) = _short_names(mentors[:1])
        return _("%(mentor)s's group") % {"mentor": mentor}
    if kind == "circle":
        shown = _short_names(others)
        if len(shown) <= CIRCLE_NAMES_SHOWN + 1:
            return _("Circle: %(names)s") % {"names": ", ".join(shown)}
        return _("Circle: %(names)s +%(more)d") % {
            "names": ", ".join(shown[:CIRCLE_NAMES_SHOWN]),
            "more": len(shown) - CIRCLE_NAMES_SHOWN,
        }
    # Pairs of every kind: the mentee first, then the mentor; peers alphabetically.
    names = _short_names([*others, *mentors])
    if not names:
        return _("Empty relationship")
    if len(names) == 1:
        return names[0]
    return _("%(first)s & %(second)s") % {"first": ", ".join(names[:-1]), "second": names[-1]}


def clean_chosen_name(raw: str) -> str:
    """Collapse whitespace; the caller checks the length."""
    return " ".join(raw.split())
