"""The verifier model (issue 13): through the real `openai` client against the loopback server,
as honest, lying, harsh, slow, garbled and down verifiers, beside both summarisers."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from briefing import check
from briefing.check import Index, Verdict, outcome
from briefing.config import Settings, load_settings, resolve
from briefing.contract import Briefing
from briefing.errors import ConfigError
from briefing.state import Store
from briefing.summarise import LLMSettings, OpenAISummariser
from briefing.summarise.llm.schemas import MAX_CLAIMS
from briefing.summarise.llm.verify import excerpt, settings_of
from briefing.tokens import count

from .conftest import brief
from .servers.openai_server import (
    FakeOpenAI,
    Reply,
    completion,
    honest_answer,
    honest_verdict,
    is_verify,
    verify_answer,
    verify_claims,
)
from .test_llm import batch_entries, cli

DAY = "2025-02-13"
SOURCE = "The Ukrainian military said that Russia launched 140 drones to attack the country overnight."
# as the extractive summariser writes it: "overnight" read from the entry's time (issue 23)
WRITTEN = SOURCE.removesuffix(".") + " into Thursday 13 February."
REWORDED = "Russia launched 140 drones at Ukraine overnight, according to the Ukrainian military."
# as the reader gets it: a model's relative time word is written as its day (check.write_days)
REWORDED_READ = REWORDED.replace("overnight", "overnight into Thursday 13 February")
SWAPPED = "Out of 140 drones, the air force said it shot down 52 and 85 did not reach their targets."
TAG = "model:checker"


def judged_by(judge: Any) -> Any:
    """A script: verify calls answered by `judge`, everything else honestly."""

    def script(req: dict[str, Any], n: int) -> Reply | None:
        if is_verify(req):
            return Reply(body=completion(verify_answer(req["messages"][1]["content"], judge)))
        return None

    return script


def verify_requests(server: FakeOpenAI) -> list[dict[str, Any]]:
    return [r for r in server.requests if is_verify(r)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: connection refused


def llm(server: FakeOpenAI, store: Store | None = None, **kw: Any) -> OpenAISummariser:
    s = load_settings(base_url=server.base_url, api_key="k", max_retries=0, timeout=5, **kw)
    return OpenAISummariser(LLMSettings.from_settings(s), store)


def tags(b: Briefing) -> list[bool]:
    return [TAG in x.verified_by for x in b.all_bullets()]


def packed_rewording(script: Any) -> Any:
    """The packed answer with the 140-drones story's bullets reworded (true, passes every
    offline check, not the source's sentence) and one with swapped numbers (fails them)."""

    def wrapped(req: dict[str, Any], n: int) -> Reply | None:
        user = req["messages"][1]["content"]
        if "<<<STORY S" in user:
            honest = json.loads(honest_answer(req))
            for sid, entries in batch_entries(user).items():
                for eid, text in entries:
                    if SOURCE in text:
                        story = next(s for s in honest["stories"] if s["story_id"] == sid)
                        story["bullets"] = [{"text": REWORDED, "citations": [eid]},
                                            {"text": SWAPPED, "citations": [eid]}]  # fmt: skip
            return Reply(body=completion(json.dumps(honest)))
        return script(req, n)

    return wrapped


# --- honest ---------------------------------------------------------------------------------


def test_honest_verifier_confirms_every_extractive_bullet_in_one_batched_call() -> None:
    with FakeOpenAI() as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_retries=0)
    (req,) = server.requests  # every bullet of the day, one call
    n = len({x.text for x in b.all_bullets()})  # a section lead repeating In brief: one claim
    assert n >= 8 and len(verify_claims(req["messages"][1]["content"])) == n
    assert req["model"] == "checker" and req["max_tokens"] == 64 + 160 * n
    fmt = req["response_format"]["json_schema"]["schema"]["properties"]["verdicts"]
    assert fmt["items"]["properties"]["claim"]["enum"] == [f"C{i}" for i in range(1, n + 1)]
    assert all(tags(b))
    assert all(x.verified_by == ["words", "meaning", TAG] for x in b.all_bullets())
    assert b.summariser.notice is None and not b.summariser.degraded
    assert [p.name for p in b.summariser.prompts] == ["verify"] and b.stats.llm_calls == 1
    plain = brief(DAY)  # the verifier's usage is added to the briefing's figures
    assert (b.stats.tokens_in, b.stats.tokens_out) == (plain.stats.tokens_in + 100,
                                                       plain.stats.tokens_out + 20)  # fmt: skip


def test_honest_verifier_beside_the_llm_summariser_and_the_cache_per_server(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "state")
    with FakeOpenAI() as server:
        b = brief(DAY, llm(server, store), store=store, verify_model="checker",
                  base_url=server.base_url, max_retries=0)  # fmt: skip
        assert all(tags(b)) and b.all_bullets() and not b.dropped
        assert [p.name for p in b.summariser.prompts] == ["story_batch", "verify"]
        # one packed call, one verify call, and one for the line the reader gets with its
        # "overnight" written as its day: the verifier judges what is mailed
        assert len(server.requests) == b.stats.llm_calls == 3
        again = brief(DAY, llm(server, store), store=store, verify_model="checker",
                      base_url=server.base_url, max_retries=0)  # fmt: skip
        assert len(server.requests) == 3 and again.stats.cache_hits >= 2  # nothing asked again
        assert all(tags(again))
    with FakeOpenAI() as other:  # the same model name on another server is another verifier
        third = brief(DAY, store=store, verify_model="checker", base_url=other.base_url,
                      max_retries=0)  # fmt: skip
        assert len(other.requests) == 1 and all(tags(third))


# --- lying ----------------------------------------------------------------------------------


def test_a_lying_verifier_cannot_vouch_with_a_quote_that_is_not_in_the_text() -> None:
    def liar(claim: str, cited: list[str]) -> dict[str, str]:
        # the claim itself (a paraphrase is not in the text), or a sentence nobody wrote
        quote = claim if claim in (REWORDED, REWORDED_READ) else f"Officials confirmed that {claim}"
        return {"quote": quote, "verdict": "supported", "reason": "it is all there"}

    with FakeOpenAI(packed_rewording(judged_by(liar))) as server:
        b = brief(DAY, llm(server), verify_model="checker", base_url=server.base_url)
    assert b.all_bullets() and not any(tags(b))  # no verdict counted ...
    assert any(x.text == REWORDED_READ for x in b.all_bullets())  # ... the offline checks stand
    assert "its quotes for" in (b.summariser.notice or "") and "do not count" in (
        b.summariser.notice or ""
    )
    # the swapped numbers failed the offline checks: never sent to the verifier, dropped
    assert all(SWAPPED not in r["messages"][1]["content"] for r in verify_requests(server))
    assert any(d.text == SWAPPED and "number" in d.reason for d in b.dropped)


def test_quotes_count_only_verbatim_in_the_cited_text_and_about_the_bullet() -> None:
    texts = {"a": 'Mr Healey said: "There can be no negotiation about Ukraine without Ukraine."\n'
                  "Scholz spoke in Berlin.", "b": "Something else entirely happened."}  # fmt: skip
    index = Index(texts)
    bullet = "Healey said there can be no negotiation about Ukraine without Ukraine."
    said = "There can be no negotiation about Ukraine without Ukraine"
    assert outcome(bullet, ["a"], Verdict(True, f"  “{said}” ", ""), index) == "confirmed"
    assert outcome(bullet, ["a"], Verdict(True, said.replace("no", "a"), ""), index) == "unvouched"
    assert outcome(bullet, ["b"], Verdict(True, said, ""), index) == "unvouched"  # not cited
    assert outcome(bullet, ["a"], Verdict(True, "Ukraine", ""), index) == "unvouched"  # fragment
    assert outcome(bullet, ["a"], Verdict(True, "Scholz spoke in Berlin", ""), index) == "unvouched"
    assert outcome(bullet, ["a"], Verdict(False, "", "no"), index) == "rejected"
    assert outcome("Scholz spoke in Berlin.", ["a"], Verdict(False, "", ""), index) == "contested"
    assert outcome("Scholz spoke", ["a"], Verdict(False, "", ""), index) == "rejected"  # a part


# --- harsh: a true bullet called unsupported ------------------------------------------------


def harsh(claim: str, cited: list[str]) -> dict[str, str]:
    if "140" in claim:
        return {"quote": "", "verdict": "unsupported", "reason": "no drone count is given"}
    return honest_verdict(claim, cited)


def test_unsupported_extractive_bullets_are_recorded_and_kept() -> None:
    with FakeOpenAI(judged_by(harsh)) as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_retries=0)
    kept = [x for x in b.all_bullets() if "140" in x.text]
    assert kept and all(TAG not in x.verified_by for x in kept) and not b.dropped
    assert all(TAG in x.verified_by for x in b.all_bullets() if "140" not in x.text)
    assert f"found {len(kept)} bullets unsupported that are their sources' own sentences" in (
        b.summariser.notice or ""
    )


def test_an_unsupported_llm_bullet_is_re_asked_once_then_dropped_with_the_reason() -> None:
    def script(req: dict[str, Any], n: int) -> Reply | None:
        user = req["messages"][1]["content"]
        if is_verify(req):
            return Reply(body=completion(verify_answer(user, harsh)))
        if "<<<ENTRY id=" in user and SOURCE in user:
            eid = next(e for e, _n, t in __import__("re").findall(
                r"<<<ENTRY id=(\S+) (\w+)>>>\n(.*?)<<<END \2>>>", user, 16) if SOURCE in t)
            return Reply(body=completion(json.dumps(
                {"bullets": [{"text": REWORDED, "citations": [eid]}]})))  # fmt: skip
        return None

    with FakeOpenAI(script) as server:
        b = brief(DAY, llm(server, batch_stories=False), verify_model="checker",
                  base_url=server.base_url)  # fmt: skip
    reasks = [r for r in server.requests if len(r["messages"]) == 4 and not is_verify(r)]
    assert len(reasks) == 1
    assert "the verifier (checker) found it unsupported: no drone count is given" in (
        reasks[0]["messages"][-1]["content"]
    )
    (lost,) = [d for d in b.dropped if d.text == REWORDED]
    assert lost.reason == ("failed after re-ask: the verifier (checker) found it unsupported: "
                           "no drone count is given")  # fmt: skip
    assert all(x.text != REWORDED for x in b.all_bullets())
    # the story went to the extractive summariser: its own sentence is kept, with a notice
    assert any(x.text == WRITTEN and TAG not in x.verified_by for x in b.all_bullets())
    notice = b.summariser.notice or ""
    assert "extractive summariser" in notice and "sources' own sentences" in notice


def test_a_packed_answer_loses_the_rejected_bullet_and_asks_for_its_story_alone() -> None:
    with FakeOpenAI(packed_rewording(judged_by(harsh))) as server:
        b = brief(DAY, llm(server), verify_model="checker", base_url=server.base_url)
    assert any(d.text == REWORDED and d.reason.startswith("the verifier (checker) found it "
               "unsupported") for d in b.dropped)  # fmt: skip
    alone = [r for r in server.requests if "<<<ENTRY id=" in r["messages"][1]["content"]]
    assert alone and all(x.text != REWORDED for x in b.all_bullets())
    assert not b.summariser.degraded


# --- down, slow, garbled, over budget -------------------------------------------------------


def test_a_verifier_that_is_down_leaves_the_offline_checks_and_says_so() -> None:
    port = closed_port()
    with FakeOpenAI() as server:
        b = brief(DAY, llm(server), verify_model="checker", base_url=server.base_url,
                  verify_base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)  # fmt: skip
    assert b.summariser.backend == "openai" and not b.summariser.degraded
    assert b.all_bullets() and all(x.verified_by == ["words", "meaning"] for x in b.all_bullets())
    assert b.summariser.notice == (
        f"Verifier checker: could not be used (cannot reach the LLM server at "
        f"http://127.0.0.1:{port}/v1 (connection refused)); every bullet was checked offline only."
    )
    assert all(not is_verify(r) for r in server.requests)


def test_a_verifier_that_is_down_is_a_notice_not_exit_4(tmp_path: Path) -> None:
    env = {"BRIEFING_STATE_DIR": str(tmp_path), "BRIEFING_VERIFY_MODEL": "checker",
           "BRIEFING_VERIFY_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1",
           "BRIEFING_MAX_RETRIES": "0"}  # fmt: skip
    r = cli("run", "--sample", "--date", DAY, "--llm", "extractive", "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert "Verifier checker: could not be used" in b["summariser"]["notice"]
    assert "notice" in r.stderr and b["sections"]


def test_a_verifier_that_times_out_is_given_up_after_one_call() -> None:
    def slow(req: dict[str, Any], n: int) -> Reply | None:
        return Reply(delay=1.0) if is_verify(req) else None

    with FakeOpenAI(slow) as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_retries=0,
                  timeout=0.3, max_input_tokens=800)  # fmt: skip
    # several batches, but none asked after the first failed (asked in json_schema mode, then
    # once more: the client's first call finds the output mode the server takes)
    assert len(server.requests) == 2
    assert "could not be used (the server did not answer in time)" in (b.summariser.notice or "")
    assert b.all_bullets() and not any(tags(b))


def test_garbage_is_re_asked_once_then_the_offline_checks_stand() -> None:
    def garbled(req: dict[str, Any], n: int) -> Reply | None:
        return Reply(body=completion("Sure! Everything is supported.")) if is_verify(req) else None

    with FakeOpenAI(garbled) as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_retries=0)
    assert len(server.requests) == 2  # asked, re-asked
    assert "Your answer was unusable" in server.requests[1]["messages"][-1]["content"]
    notice = b.summariser.notice or ""
    assert notice.startswith("Verifier checker: could not be used (not valid JSON")
    assert b.all_bullets() and not any(tags(b))


def test_partial_answers_leave_the_rest_unjudged() -> None:
    def half(req: dict[str, Any], n: int) -> Reply | None:
        if not is_verify(req):
            return None
        got = json.loads(verify_answer(req["messages"][1]["content"]))
        got["verdicts"] = got["verdicts"][::2]
        return Reply(body=completion(json.dumps(got)))

    with FakeOpenAI(half) as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_retries=0)
    n = len(b.all_bullets())
    judged = (n + 1) // 2  # every other verdict kept
    assert sum(tags(b)) == judged
    assert f"gave no verdict on {n - judged} of {n} bullets" in (b.summariser.notice or "")


def test_the_verifier_keeps_to_the_runs_token_budget() -> None:
    with FakeOpenAI() as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, llm_token_budget=1000)
    assert not server.requests and "token budget (1,000 tokens) was spent" in (
        b.summariser.notice or ""
    )


def test_batches_keep_to_max_input_tokens_and_long_entries_are_cut_around_the_claim() -> None:
    with FakeOpenAI() as server:
        b = brief(DAY, verify_model="checker", base_url=server.base_url, max_input_tokens=1200)
    calls = verify_requests(server)
    assert 1 < len(calls) <= len(b.all_bullets())
    for r in calls:
        user = r["messages"][1]["content"]
        assert count(user) <= 1200 - 300 and 1 <= len(verify_claims(user)) <= MAX_CLAIMS
    assert all(tags(b))
    long = " ".join(f"Filler sentence number {i} about nothing." for i in range(400))
    text = long + " Russia returned eight children to Ukraine. " + long
    cut = excerpt(text, "Russia returned eight children to Ukraine", 200)
    assert "Russia returned eight children to Ukraine." in cut and count(cut) <= 250


# --- settings -------------------------------------------------------------------------------


def test_settings_keys_servers_and_per_topic_models(tmp_path: Path) -> None:
    assert settings_of(Settings()) is None
    same = settings_of(Settings(verify_model="v", base_url="http://127.0.0.1:9/v1",
                                api_key="main"))  # fmt: skip
    assert same is not None and (same.model, same.api_key) == ("v", "main")
    assert same.base_url == "http://127.0.0.1:9/v1"
    own = settings_of(Settings(verify_model="v", verify_base_url="http://127.0.0.1:8/v1",
                               base_url="http://127.0.0.1:9/v1", api_key="main"))  # fmt: skip
    assert own is not None and own.api_key is None  # the main key is not sent to another server
    key = tmp_path / "key"
    key.write_text("vk\n")
    own = settings_of(Settings(verify_model="v", verify_base_url="http://127.0.0.1:8/v1",
                               verify_api_key_file=key))  # fmt: skip
    assert own is not None and own.api_key == "vk"
    with pytest.raises(ConfigError, match="verify_model needs a server"):
        settings_of(Settings(verify_model="v"))
    with pytest.raises(ConfigError, match="http"):
        load_settings(verify_base_url="ftp://x")
    s = Settings(verify_model="a", topics={"t": {"title": "T", "verify_model": "b"}})
    assert resolve(s, "t").settings.verify_model == "b"
    assert check.claim_key(" a  b\n") == "a b"


def test_a_claim_asked_again_with_more_citations_is_judged_again() -> None:
    """The re-ask tells the model to fix a bullet's citations; the same text citing more
    entries is a new question, not the old verdict again (found by a review)."""
    from briefing.contract import Bullet
    from briefing.summarise import Verifier
    from briefing.summarise.llm.verify import vet

    def judge(req: dict[str, Any], n: int) -> Reply | None:
        return Reply(body=completion(verify_answer(req["messages"][1]["content"])))

    texts = {"a": "Talks were held in Geneva on Monday.",
             "b": "On Monday in Geneva, Russia and Ukraine agreed to exchange prisoners."}  # fmt: skip
    claim = "Russia and Ukraine agreed to exchange prisoners in Geneva on Monday."
    with FakeOpenAI(judge) as server:
        s = load_settings(base_url=server.base_url, api_key="k", max_retries=0, timeout=5,
                          verify_model="checker")  # fmt: skip
        v = Verifier.of(s, None)
        keep, bad = vet(v, [Bullet(text=claim, citations=["a"])], texts)
        assert not keep and len(bad) == 1  # entry a does not say it
        keep, bad = vet(v, [Bullet(text=claim, citations=["a", "b"])], texts)
        assert [b.text for b in keep] == [claim] and not bad
        assert len(server.requests) == 2
        vet(v, [Bullet(text=claim, citations=["b"])], texts)  # judged on these already
        assert len(server.requests) == 2
