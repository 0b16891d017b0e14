"""The Alongside matching engine: pure numpy/scipy, never imports Django."""

from .candidates import CandidateGraph
from .circles import solve_circles
from .errors import MatchingError
from .mentoring import solve_mentoring
from .pairs import solve_pairs
from .results import MatchResult, MentoringResult, Unmatched

__all__ = [
    "CandidateGraph",
    "MatchResult",
    "MatchingError",
    "MentoringResult",
    "Unmatched",
    "solve_circles",
    "solve_mentoring",
    "solve_pairs",
]
