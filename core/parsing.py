"""Reading the outside world's input within bounds. JSON: a document nested deeper than
any real one, a NUL character or a number too large for a float is refused with a
message, before it reaches a service (where it would be a RecursionError, a PostgreSQL
error or the text "inf"). Ids: a number no row's id can be (10^30) names nothing, and
is never put in a query (SQLite cannot hold it: an OverflowError)."""

import json
import math

from django.utils.translation import gettext as _

# A report's items are a list of objects: three levels. Nothing real goes past a dozen.
MAX_DEPTH = 32
# The largest id a row can have (a bigint primary key).
MAX_ID = 2**63 - 1


class UnreadableJSON(ValueError):
    """The text is not JSON, or is JSON beyond the bounds; the message says which."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnreadableJSON(_("A number in the request is too large."))
    return value


def _no_constants(name: str):
    raise UnreadableJSON(_("The request holds %(name)s, which is not a number.") % {"name": name})


def check_bounds(value, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise UnreadableJSON if ``value`` nests deeper than ``max_depth`` or holds a NUL in
    any string (keys included). Walks with a stack, not recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise UnreadableJSON(_("The request holds a NUL character, which no text may contain."))
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise UnreadableJSON(_("The request is nested too deeply."))
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)


def load_json(text: str | bytes, *, max_depth: int = MAX_DEPTH):
    """``json.loads`` within bounds; raises UnreadableJSON with a message for a person."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constants)
    except RecursionError:
        raise UnreadableJSON(_("The request is nested too deeply.")) from None
    except UnicodeDecodeError:
        raise UnreadableJSON(_("The request is not valid UTF-8 text.")) from None
    except json.JSONDecodeError:
        raise UnreadableJSON(_("The request is not valid JSON.")) from None
    check_bounds(value, max_depth=max_depth)
    return value


def beyond_any_id(value) -> bool:
    """Whether a value sent as an id reads as a whole number (as Django reads one: int())
    too large for any row's id. Anything else, words and numbers too long to read
    included, Django refuses as it is."""
    try:
        return abs(int(str(value))) > MAX_ID
    except ValueError:
        return False


def ids_in(values) -> list[int]:
    """The ids among texts sent by a browser: digits naming a number from 1 to MAX_ID.
    The rest (words, 10^30, thousands of digits, which int() refuses with an error) name
    no row and are left out."""
    return [
        int(text)
        for text in values
        if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and 0 < int(text) <= MAX_ID
    ]
