"""Fetching a feed file over HTTP(S) for `shopsafe feeds pull` (a scheduled job)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from shopsafe import __version__
from shopsafe.kit.errors import InvalidInput

MAX_BYTES = 200 * 1024 * 1024
USER_AGENT = f"Shopsafe/{__version__} (authority feed pull)"


def fetch(url: str, *, timeout: float = 60.0, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of a successful GET, or `InvalidInput` naming what went wrong."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput([f"URL: '{url}' is not an http:// or https:// address"])
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        raise InvalidInput([f"{url}: the server answered {error.code} {error.reason}"]) from None
    except urllib.error.URLError as error:
        raise InvalidInput([f"{url}: could not be fetched ({error.reason})"]) from None
    except (TimeoutError, OSError) as error:
        raise InvalidInput([f"{url}: could not be fetched ({error})"]) from None
    if len(data) > max_bytes:
        raise InvalidInput([f"{url}: the file is larger than {max_bytes // (1024 * 1024)} MB"])
    return data
