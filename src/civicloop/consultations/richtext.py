"""The draft's full text: Markdown written by officials, rendered without raw HTML and then sanitized.

Raw HTML in the source is shown as text (markdown-it with ``html`` off); the rendered result is cleaned
again by nh3 (the Ammonia sanitizer) to a small allow-list, so that even a renderer bug cannot let a
script, a style or a ``javascript:`` link through.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_MARKDOWN_CHARS = 100_000

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(source: str) -> str:
    # Headings in the draft start at level 2 because the page title is the only h1.
    html = _markdown.render(source).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize(html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
