"""Rich text sanitising (ammonia through nh3): an allow-list of tags, http(s)/mailto links,
http(s) images, nothing else; known mutation-XSS and sanitiser-bypass payloads come out inert
and stable."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from jimu.form_engine.values import ALLOWED_TAGS, sanitize_html

ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}, "img": {"src"}}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Elements(HTMLParser):
    """Collects the start tags and attributes of a fragment, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.elements


def assert_inert(out: str) -> None:
    """No script, no event handler, no style, no javascript:/data: URL, nothing off the list."""
    assert "<script" not in out.lower()
    for tag, attributes in elements(out):
        assert tag in ALLOWED_TAGS, (tag, out)
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attributes, out)
        for name, value in attributes.items():
            assert not name.startswith("on"), out
            compact = "".join((value or "").split()).lower()
            assert not compact.startswith(BAD_SCHEMES), out
        if tag == "a" and "href" in attributes:
            assert attributes["rel"] == "noopener noreferrer"
    assert sanitize_html(out) == out  # stable: sanitising again changes nothing


PAYLOADS = [
    "<svg><style><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
    'onerror=alert(1)&gt;">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<img src=x onerror=alert(1)//",
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<img/src=x/onerror=alert(1)>",
    '<img src="https://example.com/a.png" onerror="alert(1)" style="x:expression(alert(1))">',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<p onclick="alert(1)" onmouseover=alert(1)>hi</p>',
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<details open ontoggle=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    "<embed src=javascript:alert(1)>",
    '<table><td background="javascript:alert(1)">x</td></table>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<a href="https://example.com" target="_blank" id="x" class="y">x</a>',
    '<math href="javascript:alert(1)">x</math>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>a < b & c > d</p>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_bypass_payloads_come_out_inert_and_stable(payload: str) -> None:
    assert_inert(sanitize_html(payload))


def test_entity_encoded_markup_stays_text() -> None:
    out = sanitize_html("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert out == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert elements(out) == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("<p>ok <b>bold</b> <i>i</i></p>", "<p>ok <b>bold</b> <i>i</i></p>"),
        (
            '<a href="https://example.com/?a=1&b=2">x</a>',
            '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="mailto:li@example.com">li</a>',
            '<a href="mailto:li@example.com" rel="noopener noreferrer">li</a>',
        ),
        ('<a href="/relative">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="ftp://example.com/f">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="https://example.com/a.png">', '<img src="https://example.com/a.png">'),
        ('<img src="http://example.com/a.png" alt="a">', '<img src="http://example.com/a.png">'),
        ('<img src="mailto:li@example.com">', "<img>"),
        ('<img src="//example.com/a.png">', "<img>"),
        ('<span style="color:red">red</span>', "<span>red</span>"),
        ("<ul><li>one<li>two</ul>", "<ul><li>one</li><li>two</li></ul>"),
        ("<h1>t</h1><blockquote>q</blockquote><pre><code>c</code></pre><hr>",
         "<h1>t</h1><blockquote>q</blockquote><pre><code>c</code></pre><hr>"),
        ("<font color=red>x</font><center>y</center>", "xy"),
        ("<script>alert(1)</script>after", "after"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("", ""),
    ],
)  # fmt: skip
def test_the_allow_list(given: str, kept: str) -> None:
    assert sanitize_html(given) == kept
