"""The Alongside matching engine: pure numpy/scipy, never imports Django.

Two layers: solvers on a score matrix (``solve_pairs``, ``solve_circles``,
``solve_mentoring``) and scoring, which turns profiles and programme rules into score
matrices and reasons (``Scorer``, ``score_matrix``, ``candidate_graph``,
``mentoring_matrix``, ``explain``).
"""

from .availability import parse_availability
from .candidates import CandidateGraph
from .circles import solve_circles
from .errors import MatchingError
from .mentoring import solve_mentoring
from .pairs import solve_pairs
from .profiles import (
    PRIVATE_FIELDS,
    PUBLIC_FIELDS,
    Candidate,
    Intent,
    MatchRules,
    Role,
    ScoreWeights,
)
from .reasons import Explanation, ReasonPart, explain, explain_pair
from .results import MatchResult, MentoringResult, Unmatched
from .scoring import Scorer, candidate_graph, mentoring_matrix, score_matrix

__all__ = [
    "PRIVATE_FIELDS",
    "PUBLIC_FIELDS",
    "Candidate",
    "CandidateGraph",
    "Explanation",
    "Intent",
    "MatchResult",
    "MatchRules",
    "MatchingError",
    "MentoringResult",
    "ReasonPart",
    "Role",
    "ScoreWeights",
    "Scorer",
    "Unmatched",
    "candidate_graph",
    "explain",
    "explain_pair",
    "mentoring_matrix",
    "parse_availability",
    "score_matrix",
    "solve_circles",
    "solve_mentoring",
    "solve_pairs",
]
