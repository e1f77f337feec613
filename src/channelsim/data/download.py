"""Fetch the latest edition from its gov.uk publication page.

The page links the time series as an ``.ods`` attachment (absolute or relative href); the
link whose address or text says "time series" is taken, else the first ``.ods`` link. The
file is streamed to a temporary file in the target directory and renamed into place, so a
failed download never leaves a partial spreadsheet behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from channelsim.data.source import GOV_UK_PAGE
from channelsim.errors import InputError, unreachable

__all__ = ["GOV_UK_PAGE", "download_publication", "find_ods_link"]
TIMEOUT_S = 60.0


class _Links(HTMLParser):
    """Collects ``(href, link text)`` for every ``<a href>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self._open.append([href, ""])

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.links.append((href, " ".join(text.split())))


def find_ods_link(html: str, page_url: str) -> str | None:
    """The absolute address of the time-series ``.ods`` linked from the page, if any."""
    parser = _Links()
    parser.feed(html)
    candidates = [
        (urljoin(page_url, href.strip()), text)
        for href, text in parser.links
        if urlsplit(href.strip()).path.lower().endswith(".ods")
    ]
    time_series = re.compile(r"time[\s_\-]*series", re.IGNORECASE)
    preferred = [
        url
        for url, text in candidates
        if time_series.search(unquote(url)) or time_series.search(text)
    ]
    ranked = preferred or [url for url, _ in candidates]
    return ranked[0] if ranked else None


def download_publication(
    to_dir: Path,
    page_url: str = GOV_UK_PAGE,
    replaceable: Callable[[str], bool] = lambda sha256: False,
) -> Path:
    """Download the ODS linked from ``page_url`` into ``to_dir``; return its path.

    A file already at that name is replaced only by the same bytes, or when
    ``replaceable(its_sha256)`` (an edition channelsim downloaded into its own folder and
    imported, unchanged since); any other is refused (:class:`InputError` naming it), and
    nothing is written."""
    if urlsplit(page_url).scheme not in ("http", "https"):
        raise InputError(page_url, None, "expected an http(s) address of the publication page")
    with httpx.Client(follow_redirects=True, timeout=TIMEOUT_S) as client:
        page = _get(client, page_url)
        link = find_ods_link(page.text, str(page.url))
        if link is None:
            raise InputError(page_url, None, "no .ods link on the page; expected the time series")
        name = PurePosixPath(unquote(urlsplit(link).path)).name
        to_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=to_dir, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out, client.stream("GET", link) as response:
                _raise_for_status(response, link)
                for chunk in response.iter_bytes():
                    out.write(chunk)
            target = to_dir / name
            _check_replaceable(target, Path(temporary), replaceable)
            os.replace(temporary, target)
        except httpx.HTTPError as error:
            raise _unreachable(link, error) from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return target


def _check_replaceable(target: Path, download: Path, replaceable: Callable[[str], bool]) -> None:
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_file() and not target.is_symlink():
        digest = _sha256(target)
        if digest == _sha256(download) or replaceable(digest):
            return
    raise InputError(
        target,
        "--to",
        "expected a new file name or an edition channelsim downloaded there; this file differs "
        "from the download (a file of yours?): move it or choose another --to; nothing was "
        "replaced",
    )


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise _unreachable(url, error) from None
    _raise_for_status(response, url)
    return response


def _raise_for_status(response: httpx.Response, url: str) -> None:
    if response.status_code >= 400:
        raise InputError(url, None, f"the server answered HTTP {response.status_code}")


#: What a user can do without the download (the rest of channelsim needs no network).
OFFLINE = (
    "the rest of channelsim works offline: import an edition you downloaded yourself with "
    "`channelsim data import FILE.ods`"
)


def _unreachable(url: str, error: httpx.HTTPError) -> InputError:
    return unreachable(url, error, OFFLINE)
