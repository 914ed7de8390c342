"""Reading a request body as JSON, every way it can fail answered as bad input (422).

`json.loads` raises more than `JSONDecodeError` on what a client sends: RecursionError for
arrays or objects nested about a thousand deep, and ValueError for a number of more digits
than Python converts (`sys.get_int_max_str_digits()`, 4300 by default).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from shopsafe.kit.errors import InvalidInput

TOO_DEEP = "body: the JSON is nested too deeply"


def too_many_digits() -> str:
    return f"a number has more than {sys.get_int_max_str_digits()} digits"


def loads(body: bytes) -> Any:
    """The body as JSON (`None` for an empty body), or InvalidInput naming the problem."""
    try:
        return json.loads(body or b"null")
    except RecursionError:
        raise InvalidInput([TOO_DEEP], code="json_too_deep") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput([f"body: not valid JSON ({error})"]) from None
    except ValueError:  # the only other one: an integer beyond Python's digit limit
        raise InvalidInput([f"body: {too_many_digits()}"], code="out_of_range") from None
