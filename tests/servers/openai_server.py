"""An OpenAI-compatible server on 127.0.0.1 for tests, driven through the real `openai` client.

By default it behaves like a small, honest model: for a story prompt (one story, or several
packed) it answers with the first sentence of each delimited entry, citing that entry; for the
briefing prompt it keeps the story order and summarises with the first bullets. Tests script anything else per call: 429 with
Retry-After, 500s, hangs past the timeout, malformed JSON, wrong citations, invented numbers,
servers that refuse `json_schema`. For the verify prompt it is an honest verifier: a claim is
supported when one sentence of its cited entries holds most of its words, and that sentence is
quoted as it stands (`verify_answer` takes another judge: a lying or a harsh verifier).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENTRY = re.compile(r"<<<ENTRY id=(\S+) (\w+)>>>\n(.*?)<<<END \2>>>", re.S)
STORY = re.compile(r"<<<STORY id=(\S+) (\w+)>>>\n(.*?)<<<END \2>>>", re.S)
CITES = re.compile(r"\[([^\]]+)\]\s*$", re.M)
MAX_BULLETS = re.compile(r"at most (\d+)\s+bullets")
BATCH_STORY = re.compile(r"^<<<STORY (S\d+) max=(\d+)>>>\n(.*?)(?=^<<<STORY |\Z)", re.S | re.M)
BATCH_ENTRY = re.compile(r"^<<<(E\d+)[^>\n]*>>>\n(.*?)(?=^<<<|\Z)", re.S | re.M)
SUMMARY_LINES = re.compile(r'"summary": at most (\d+)')
VERIFY_ENTRY = re.compile(r"^<<<(E\d+)>>>\n(.*?)(?=^<<<|\Z)", re.S | re.M)
VERIFY_CLAIM = re.compile(
    r"^<<<CLAIM (C\d+) cites ([^>\n]*)>>>\n(.*?)(?=^<<<|^Return the JSON|\Z)", re.S | re.M
)
WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str or bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, finish: str = "stop", model: str = "test-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }  # fmt: skip


def first_sentence(text: str) -> str:
    body = [ln for ln in text.splitlines() if ln and not ln.startswith(("Headline:", "By:"))]
    joined = " ".join(body)
    m = re.match(r"(.+?[.!?])(\s|$)", joined)
    return (m.group(1) if m else joined)[:300]


def batch_answer(system: str, user: str) -> str:
    """The packed prompt: per story its first entry's headline as title and each entry's first
    sentence (after the headline line) as a bullet; the summary is the first stories' first
    bullets; the stories keep their order."""
    stories, summary = [], []
    for sid, limit, block in BATCH_STORY.findall(user):
        entries = BATCH_ENTRY.findall(block)
        bullets = []
        for eid, text in entries:
            lines = [ln for ln in text.strip().splitlines() if ln.strip()]
            body = lines[1:] if len(lines) > 1 else lines
            bullets.append({"text": first_sentence("\n".join(body)), "citations": [eid]})
        title = entries[0][1].strip().splitlines()[0][:80] if entries else sid
        stories.append({"story_id": sid, "title": title, "bullets": bullets[: int(limit)]})
    out: dict[str, Any] = {"stories": stories}
    if m := SUMMARY_LINES.search(system):
        summary = [s["bullets"][0] for s in stories if s["bullets"]][: int(m.group(1))]
        out["summary"] = summary
    return json.dumps(out)


Judge = Callable[[str, list[str]], dict[str, str]]  # (claim, cited texts) -> a verdict


def honest_verdict(claim: str, cited: list[str]) -> dict[str, str]:
    """Supported when one sentence of the cited texts holds 60 % of the claim's words (of four
    letters or more); that sentence is quoted exactly as it stands in the text."""
    want = {w for w in WORD.findall(claim.lower()) if len(w) > 3}
    best, share = "", 0.0
    for text in cited:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            have = set(WORD.findall(sentence.lower()))
            got = len(want & have) / max(1, len(want))
            if got > share:
                best, share = sentence, got
    if share >= 0.6:
        return {"quote": best, "verdict": "supported", "reason": "stated in the entry"}
    return {"quote": "", "verdict": "unsupported", "reason": "the entries do not say it"}


def verify_claims(user: str) -> list[tuple[str, str, list[str]]]:
    """A verify prompt's claims: (claim id, text, the texts of the entries it cites)."""
    entries = {eid: text.strip() for eid, text in VERIFY_ENTRY.findall(user)}
    return [(cid, text.strip(), [entries[e] for e in cites.split() if e in entries])
            for cid, cites, text in VERIFY_CLAIM.findall(user)]  # fmt: skip


def verify_answer(user: str, judge: Judge = honest_verdict) -> str:
    """The verify prompt's answer: `judge`'s verdict on every claim."""
    claims = verify_claims(user)
    return json.dumps({"verdicts": [{"claim": c, **judge(t, cited)} for c, t, cited in claims]})


def is_verify(request: dict[str, Any]) -> bool:
    user = request["messages"][1]["content"] if len(request["messages"]) > 1 else ""
    return bool(VERIFY_CLAIM.search(user))


def honest_answer(request: dict[str, Any]) -> str:
    """What a well-behaved model would say to our prompts."""
    user = request["messages"][1]["content"] if len(request["messages"]) > 1 else ""
    system = request["messages"][0]["content"]
    if VERIFY_CLAIM.search(user):
        return verify_answer(user)
    if BATCH_STORY.search(user):
        return batch_answer(system, user)
    stories = STORY.findall(user)
    if stories:
        summary, sections = [], []
        for sid, _nonce, body in stories:
            title = re.search(r"Working title: (.*)", body)
            sections.append({"story_id": sid, "title": title.group(1) if title else sid})
            first = re.search(r"^- (.*) \[([^\]]+)\]$", body, re.M)
            if first and len(summary) < 2:
                summary.append({"text": first.group(1), "citations": first.group(2).split(", ")})
        return json.dumps({"summary": summary, "sections": sections})
    limit = int(m.group(1)) if (m := MAX_BULLETS.search(system)) else 3
    bullets = [
        {"text": first_sentence(body), "citations": [eid]} for eid, _n, body in ENTRY.findall(user)
    ]
    if "CANDIDATE" in user:  # merge prompt: keep candidates as they are
        bullets = [{"text": t.strip(), "citations": c.split(", ")} for t, c in
                   re.findall(r">>> (.*?) \(citations: ([^)]*)\) <<<", user)]  # fmt: skip
    return json.dumps({"bullets": bullets[:limit]})


Script = Callable[[dict[str, Any], int], Reply | None]


class FakeOpenAI:
    """`script(request, n)` may return a Reply for call n (0-based); None means answer honestly."""

    def __init__(self, script: Script | None = None, latency: float = 0.0,
                 refuse_json_schema: bool = False) -> None:  # fmt: skip
        self.script = script
        self.latency = latency
        self.refuse_json_schema = refuse_json_schema
        self.requests: list[dict[str, Any]] = []
        self.spans: list[tuple[float, float]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, reply: Reply) -> None:
                if isinstance(reply.body, bytes):  # sent as is, valid UTF-8 or not
                    data = reply.body
                else:
                    body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                    data = body.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(
                    Reply(
                        body={"object": "list", "data": [{"id": "test-model", "object": "model"}]}
                    )
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                start = time.monotonic()
                with server.lock:
                    n = len(server.requests)
                    server.requests.append(request)
                reply = server.script(request, n) if server.script else None
                fmt = (request.get("response_format") or {}).get("type")
                if reply is None and server.refuse_json_schema and fmt == "json_schema":
                    reply = Reply(
                        500, {"error": {"message": "Input should be 'text' or 'json_object'"}}
                    )
                if reply is None:
                    reply = Reply(body=completion(honest_answer(request)))
                time.sleep(server.latency + reply.delay)
                with server.lock:
                    server.spans.append((start, time.monotonic()))
                self._send(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def max_overlap(self) -> int:
        events = sorted([(s, 1) for s, _ in self.spans] + [(e, -1) for _, e in self.spans])
        cur = best = 0
        for _, d in events:
            cur += d
            best = max(best, cur)
        return best

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
