"""Walking the site in English: every page a persona reaches, its visible text, and the Chinese left in it.

The walk starts from every named URL without arguments and follows the links each page shows
(same site, GET), so pages with arguments are reached with real objects; one page per URL name
(and per persona) is enough. Visible text is the page's text outside <script>/<style>/<template>
plus the attributes people read: title (tooltips), aria-label, placeholder, alt and the value of
buttons. `cjk_outside` strips the exempt user data first (see EXEMPT in test_english_walk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin, urlparse

import httpx
from lxml import html as lxml_html

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# CJK punctuation alone (a full-width colon or bracket around a name) is not untranslated text.
CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
FILE_ENDINGS = (".xlsx", ".xls", ".csv", ".pdf", ".docx", ".ofd", ".svg", ".png", ".zip", ".json", ".txt", ".ods")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SKIP_PATHS = (
    "/accounts/logout",
    "/accounts/cas/",
    "/i18n/",
    "/jsi18n/",
    "/static/",
    "/media/",
    "/api/",
    "/admin/",
    "/healthz",
)


def visible_text(body: str) -> list[str]:
    """The page's visible strings (text nodes and read attributes), one per node."""
    tree = lxml_html.fromstring(body)
    for dead in tree.xpath("//script|//style|//template|//noscript"):
        dead.drop_tree()
    out: list[str] = []
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in READ_ATTRIBUTES:
            if node.get(attribute):
                out.append(node.get(attribute))
        if node.tag == "input" and node.get("type") in ("submit", "button") and node.get("value"):
            out.append(node.get("value"))
        for text in (node.text, node.tail):
            if text and text.strip():
                out.append(text.strip())
    return out


def cjk_outside(strings: Iterable[str], exempt: list[str]) -> list[str]:
    """The strings still holding a CJK character once every exempt name is taken out (longest first)."""
    bad = []
    for text in strings:
        rest = text
        for name in exempt:
            if name in rest:
                rest = rest.replace(name, " ")
        if CJK_WORD.search(rest) and not _truncated_name(text.strip(), exempt):
            bad.append(text)
    return bad


def _truncated_name(text: str, exempt: list[str]) -> bool:
    """A long name cut short for a table cell ("推进沈阳经济区一体化，编制…")."""
    return text.endswith("…") and len(text) > 1 and any(name.startswith(text[:-1]) for name in exempt)


def skipped(path: str) -> bool:
    """Paths the walk does not open: sign-out, language switch, files (exports, images), the API."""
    return path.startswith(SKIP_PATHS) or "logout" in path or path.endswith(FILE_ENDINGS)


def links(body: str, base: str, page_url: str) -> Iterator[str]:
    tree = lxml_html.fromstring(body)
    host = urlparse(base).netloc
    for href in tree.xpath("//a/@href"):
        url = urljoin(page_url, href.split("#")[0])
        parts = urlparse(url)
        if parts.netloc == host and skipped(parts.path) is False:
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def walk(
    client: httpx.Client, base: str, starts: list[str], name_of: object, limit: int = 400
) -> Iterator[tuple[str, str]]:
    """(url, body) of each HTML page reached from `starts`, one per URL name (`name_of(path)`)."""
    seen_names: set[str] = set()
    queue = list(starts)
    visited: set[str] = set()
    while queue and len(visited) < limit:
        url = queue.pop(0)
        path = urlparse(url).path
        if skipped(path):
            continue
        name = name_of(path)  # type: ignore[operator]
        if url in visited or name is None or name in seen_names:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen_names.add(name)
        yield url, response.text
        queue.extend(links(response.text, base, base + url))
