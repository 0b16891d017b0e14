"""The matching workflow, in three steps that each have a module:

- ``running``: run the engine on the cohort and store the draft it proposes;
- ``review``: adjust a draft (move, swap, lock, forbid) or discard it;
- ``publishing``: publish a draft as relationships and add late joiners.
"""

from alongside.matches.services.publishing import (
    ChosenMember,
    match_run_publish,
    mentor_places_taken_locked,
    relationship_add_late_joiner,
    relationship_create_chosen,
)
from alongside.matches.services.review import (
    match_group_lock,
    match_member_move,
    match_members_swap,
    match_run_discard,
    pairing_rule_remove,
    pairing_rule_set,
)
from alongside.matches.services.running import (
    match_run_execute,
    match_run_request,
    match_run_summary,
)

__all__ = [
    "ChosenMember",
    "match_group_lock",
    "match_member_move",
    "match_members_swap",
    "match_run_discard",
    "match_run_execute",
    "match_run_publish",
    "match_run_request",
    "match_run_summary",
    "mentor_places_taken_locked",
    "pairing_rule_remove",
    "pairing_rule_set",
    "relationship_add_late_joiner",
    "relationship_create_chosen",
]
