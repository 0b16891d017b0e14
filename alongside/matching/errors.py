"""The one exception type the matching engine raises."""


class MatchingError(ValueError):
    """Invalid input to the matching engine, or a problem that has no valid solution.

    The message always says what is wrong in plain words, so callers can show it as is.
    """
