"""The Alongside matching engine: pure numpy/scipy, never imports Django."""

from .candidates import CandidateGraph
from .errors import MatchingError
from .pairs import solve_pairs
from .results import MatchResult, MentoringResult, Unmatched

__all__ = [
    "CandidateGraph",
    "MatchResult",
    "MatchingError",
    "MentoringResult",
    "Unmatched",
    "solve_pairs",
]
