"""Forum texts are plain text typed by schools, not Markdown: whatever they type is shown as
typed. The text is escaped first (so `<b>` or `<script>` is shown as characters, never as
markup), bare addresses become links, blank lines split paragraphs; then nh3 cleans the result
with a tiny allow-list as the last word, like publication bodies (publications/rendering.py),
whose URL schemes it shares, and gives every link rel="nofollow noopener noreferrer"."""

import re

import nh3
from django.utils.html import urlize

from publications.rendering import ALLOWED_URL_SCHEMES

ALLOWED_TAGS = {"a", "br", "p"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "nofollow noopener noreferrer"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def render_text(source: str) -> str:
    source = source.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not source:
        return ""
    paragraphs = []
    for paragraph in PARAGRAPH_BREAK.split(source):
        linked = urlize(paragraph.strip(), trim_url_limit=80, nofollow=True, autoescape=True)
        paragraphs.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return nh3.clean(
        "".join(paragraphs),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )
