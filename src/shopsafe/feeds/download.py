"""Fetching a feed file over HTTP(S): `shopsafe feeds pull`, and the worker's scheduled pulls
(conditional GET with the validators of the file imported last time)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from shopsafe import __version__
from shopsafe.kit.errors import InvalidInput

MAX_BYTES = 200 * 1024 * 1024
USER_AGENT = f"Shopsafe/{__version__} (authority feed pull)"


@dataclass(frozen=True)
class Fetched:
    """The file (None when the server said it has not changed: 304) and its validators."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def fetch(url: str, *, timeout: float = 60.0, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of a successful GET, or `InvalidInput` naming what went wrong."""
    data = fetch_if_changed(url, timeout=timeout, max_bytes=max_bytes).data
    assert data is not None  # without validators, the server has nothing to compare with
    return data


def fetch_if_changed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 60.0,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """A GET that sends `If-None-Match` / `If-Modified-Since` when validators are known;
    `InvalidInput` names what went wrong (an address, a refusal, a timeout, a huge file)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput([f"URL: '{url}' is not an http:// or https:// address"])
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(max_bytes + 1)
            got_etag, got_modified = response.headers["ETag"], response.headers["Last-Modified"]
    except urllib.error.HTTPError as error:
        if error.code == 304 and (etag or last_modified):
            return Fetched(None, etag, last_modified)
        raise InvalidInput([f"{url}: the server answered {error.code} {error.reason}"]) from None
    except urllib.error.URLError as error:
        raise InvalidInput([f"{url}: could not be fetched ({error.reason})"]) from None
    except (TimeoutError, OSError) as error:
        raise InvalidInput([f"{url}: could not be fetched ({error})"]) from None
    if len(data) > max_bytes:
        raise InvalidInput([f"{url}: the file is larger than {max_bytes // (1024 * 1024)} MB"])
    return Fetched(data, got_etag, got_modified)
