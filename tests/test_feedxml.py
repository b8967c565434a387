"""The streaming feed reader (`ingest/feedxml.py`) against feedparser: the same documents from
the same feeds, and feedparser (lenient, safe) for every feed the streaming reader declines."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.flood import flood_feed
from briefing.errors import InputError
from briefing.ingest import load_rules
from briefing.ingest.feeds import documents_from_feed, feed_items
from briefing.ingest.feedxml import FAST_FEED_BYTES, read_feed

FIXTURES = Path(__file__).parent / "fixtures"
TZ = ZoneInfo("Europe/London")
DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
CONTENT = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def rss(items: str, title: str = "Wire &amp; Co", ns: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {ns}><channel>'
            f"<title>{title}</title><link>https://wire.example/</link>{items}</channel></rss>").encode()  # fmt: skip


def atom(entries: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title type="html">Desk &lt;i&gt;one&lt;/i&gt;</title>{entries}</feed>').encode()  # fmt: skip


TEXT = ("Delegations from the United States and Russia met in Riyadh on Tuesday for talks on "
        "ending the war, officials said, and agreed to restore staff at their embassies.")  # fmt: skip

FEEDS = {
    "fixture rss": (FIXTURES / "feed.rss").read_bytes(),
    "fixture atom": (FIXTURES / "feed.atom").read_bytes(),
    "entities, cdata, categories, guid as link": rss(
        f"<item><title>Tom &amp; Jerry &lt;b&gt;x&lt;/b&gt;</title><guid>https://wire.example/g</guid>"
        f"<pubDate>Tue, 18 Feb 2025 10:30:00 +0100</pubDate><category>World</category>"
        f'<category domain="x">Europe</category><description>{TEXT} &amp; more &lt;p&gt;para&lt;/p&gt;'
        f"<![CDATA[<i>it</i>]]></description><author>desk@wire.example (Desk)</author></item>"
        f'<item><title>No link</title><guid isPermaLink="false">id-2</guid>'
        f"<description><![CDATA[<p>{TEXT}</p><script>alert(1)</script>]]></description></item>"
        f"<item><title>Bad date</title><link> https://wire.example/3 </link>"
        f"<pubDate>not a date</pubDate><description>{TEXT}</description></item>"
        f"<item><title>Other shape of date</title><link>https://wire.example/4</link>"
        f"<pubDate>2025-02-18 10:00:00</pubDate><description>{TEXT}</description></item>"
        f"<item><title>Old date</title><link>https://wire.example/5</link>"
        f"<pubDate>Tue, 18 Feb 1025 10:00:00 GMT</pubDate><description>{TEXT}</description></item>"
        f"<item><title>Headline only, read more</title><link>https://wire.example/6</link></item>"
        f"<item><description>   </description></item>"
    ),
    "content:encoded, dc:creator, dc:date, media": rss(
        f"<item><title>Full</title><link>https://wire.example/f</link><dc:creator>Jane Roe</dc:creator>"
        f"<dc:date>2025-02-18T10:00:00+02:00</dc:date><description>Short teaser …</description>"
        f"<content:encoded><![CDATA[<p>{TEXT}</p><p>{TEXT}</p>]]></content:encoded>"
        f'<media:thumbnail url="https://wire.example/t.jpg"/><enclosure url="https://wire.example/a.mp3"/></item>'
        f"<item><title>Cut</title><link>https://wire.example/c</link><pubDate>Tue, 18 Feb 2025 "
        f"09:00:00 GMT</pubDate><description><![CDATA[<p>Talks began in Riyadh on Tuesday as "
        f'<a href="https://wire.example/c">Read more</a></p>]]></description></item>',
        ns=f"{DC} {CONTENT} {MEDIA}",
    ),
    "atom variants": atom(
        f'<entry><title type="text">a &lt; b</title><link rel="self" href="https://d.example/s"/>'
        f'<link href="/rel/path"/><author><name>Ann</name><email>a@d.example</email></author>'
        f"<published>2025-02-17T18:00:00+01:00</published><updated>2025-02-18T18:00:00Z</updated>"
        f'<category term="sport" label="Sport"/><summary type="text">{TEXT}</summary>'
        f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>{TEXT}</p><p>Hi <b>there</b></p></div></content></entry>'
        f'<entry><title>t2</title><link rel="alternate" type="text/html" href="https://d.example/alt"/>'
        f'<content type="text">plain {TEXT} a &amp; b</content><updated>bad date</updated></entry>'
        f'<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title><id>urn:x</id>'
        f"<updated>2025-02-18T06:00:00Z</updated><summary>{TEXT}</summary></entry>"
    ),
}


def _docs(data: bytes, fast_from: int, base_url: str | None = None) -> list[dict[str, object]]:
    rules = load_rules()
    got = documents_from_feed(data, source="feed.xml", rules=rules, tz=TZ, base_url=base_url,
                              fast_from=fast_from)  # fmt: skip
    return [{**asdict(x.document), "entries": x.entries, "problems": x.problems} for x in got]


@pytest.mark.parametrize("name", list(FEEDS))
@pytest.mark.parametrize("base_url", [None, "https://wire.example/feeds/all.xml"])
def test_the_streaming_reader_gives_the_documents_feedparser_gives(
    name: str, base_url: str | None
) -> None:
    data = FEEDS[name]
    assert read_feed(data) is not None, "the streaming reader must take this feed"
    assert _docs(data, 0, base_url) == _docs(data, 1 << 40, base_url)


def test_the_flood_feed_reads_the_same_both_ways(tmp_path: Path) -> None:
    data = flood_feed(300, tmp_path).read_bytes()
    fast = _docs(data, 0)
    assert len(fast) == 301 and fast == _docs(data, 1 << 40)


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
                  + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
                             for i in range(8))
                  + b']><rss version="2.0"><channel><title>t</title><item><title>&i;</title>'
                  b"<description>x &i;</description></item></channel></rss>")  # fmt: skip

DECLINED = {
    "a DTD (billion laughs)": BILLION_LAUGHS,
    "an undeclared entity": rss(
        f"<item><title>A&nbsp;B</title><description>{TEXT}</description></item>"
    ),
    "not well-formed": rss(f"<item><title>x</ti><description>{TEXT}</description></item>"),
    "RSS 1.0": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    b' xmlns="http://purl.org/rss/1.0/"><item><title>x</title></item></rdf:RDF>',
    "markup in a description": rss(
        f"<item><title>x</title><description><p>{TEXT}</p></description></item>"
    ),
    "an element feedparser maps": rss(
        f"<item><title>x</title><media:title>y</media:title><description>{TEXT}</description></item>",
        ns=MEDIA,
    ),
    "two titles": rss(
        f"<item><title>x</title><title>y</title><description>{TEXT}</description></item>"
    ),
    "xml:base": atom(
        f'<entry xml:base="https://b.example/"><title>x</title><summary>{TEXT}</summary></entry>'
    ),
    "no items": rss(""),
}


@pytest.mark.parametrize("name", list(DECLINED))
def test_feeds_the_streaming_reader_declines_go_to_feedparser(name: str) -> None:
    data = DECLINED[name]
    got = read_feed(data)
    assert got is None or not got[1]
    try:
        fast = _docs(data, 0)
    except InputError as exc:  # feedparser's verdict, whichever way it is reached
        with pytest.raises(InputError) as slow:
            _docs(data, 1 << 40)
        assert str(slow.value) == str(exc)
    else:
        assert fast == _docs(data, 1 << 40)


def test_a_big_feed_is_read_without_feedparser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feedparser

    data = flood_feed(1500, tmp_path).read_bytes()
    assert len(data) >= FAST_FEED_BYTES

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("feedparser read a big, plain RSS 2.0 feed")

    monkeypatch.setattr(feedparser, "parse", refuse)
    title, items, problems = feed_items(data, "flood.xml")
    assert title == "Front updates" and len(items) == 1501 and not problems
    assert items[0]["title"].startswith("Update 1: shelling in sector")
