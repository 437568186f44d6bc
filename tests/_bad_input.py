"""Tables of bad calls, each of which must raise an exception whose message names the argument.

A row is ``(id, function, args, kwargs, exception, match)``; ``match`` is a
regular expression the message must match from its start, such as ``r"^x: "``.
"""

from __future__ import annotations

import pytest

#: The argument names of a test parametrised by :func:`cases`.
FIELDS = ("fn", "args", "kwargs", "exc", "match")


def cases(table) -> list:
    """The rows of ``table`` as pytest parameters, each with its id."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def assert_raises_naming(fn, args, kwargs, exc, match) -> None:
    """``fn(*args, **kwargs)`` raises ``exc`` with a message matching ``match``."""
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)
