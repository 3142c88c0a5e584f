"""Generative mode against a local OpenAI-compatible fake server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from mindbridge.companion import (
    Companion,
    ConversationState,
    GenerativeConfig,
    GenerativeReplier,
    violations,
    wording,
)

from .fakes import CRISIS_TEMPLATE, FakeScreener, make_context, make_deps

REPLIES = {
    "[human]": "I'm a real person, not a bot, and I'm here for you.",
    "[meds]": "That sounds hard. You could try taking 50mg of sertraline before bed.",
    "[diagnosis]": "It sounds like you have depression.",
    "[screened]": "Maybe you want to die, which is understandable.",
    "[phone]": "Call 0800 123 4567 if it gets worse.",
}
NORMAL = "That sounds like a really draining day, and it makes sense you feel worn out."


class FakeOpenAI(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        last = body["messages"][-1]["content"]
        if "[slow]" in last:
            time.sleep(1.5)
        if "[error]" in last:
            self.send_response(500)
            self.end_headers()
            return
        content = next((text for key, text in REPLIES.items() if key in last), NORMAL)
        payload = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": content}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def replier(server: str) -> Iterator[GenerativeReplier]:
    FakeOpenAI.requests.clear()
    client = GenerativeReplier(
        GenerativeConfig(base_url=server, model="tiny-chat", api_key="k-test", timeout_s=0.5)
    )
    yield client
    client.close()


def chat_once(
    replier: GenerativeReplier, text: str, allowed: bool = True, screen: FakeScreener | None = None
) -> Any:
    companion = Companion(make_deps(screen=screen, generative=replier))
    context = make_context({"generative_allowed": allowed})
    return companion.turn(ConversationState(), text, context)


def test_a_normal_reply_is_used_and_the_request_is_openai_shaped(
    replier: GenerativeReplier,
) -> None:
    result = chat_once(replier, "I had an awful day at work and everyone ignored me")
    assert NORMAL in result.reply_messages
    assert result.action("generative_used") is not None
    assert "Would you like to try one of these?" in "\n".join(
        result.reply_messages
    )  # still offers flows
    request = FakeOpenAI.requests[-1]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k-test"
    assert request["body"]["model"] == "tiny-chat"
    assert request["body"]["messages"][0]["role"] == "system"
    assert "computer program" in request["body"]["messages"][0]["content"]


@pytest.mark.parametrize(
    ("marker", "reason"),
    [
        ("[human]", "rules:claims_human"),
        ("[meds]", "rules:medication"),
        ("[diagnosis]", "rules:diagnosis"),
        ("[phone]", "rules:contact_details"),
        ("[error]", "error"),
        ("[screened]", "output_screened"),
    ],
)
def test_unsafe_or_failed_replies_fall_back_to_reviewed_wording(
    replier: GenerativeReplier, marker: str, reason: str
) -> None:
    result = chat_once(replier, f"I had an awful day at work {marker}")
    text = "\n".join(result.reply_messages)
    for bad in REPLIES.values():
        assert bad not in text
    assert wording.TOPIC_OPENERS["stress"] in text
    fallback = result.action("generative_fallback")
    assert fallback is not None and fallback.data["reason"] == reason


def test_a_timeout_falls_back_within_the_time_limit(replier: GenerativeReplier) -> None:
    started = time.monotonic()
    result = chat_once(replier, "work has been so stressful lately [slow]")
    assert time.monotonic() - started < 1.4
    assert result.action("generative_fallback").data["reason"] == "timeout"
    assert wording.TOPIC_OPENERS["stress"] in "\n".join(result.reply_messages)


def test_nothing_is_sent_without_consent(replier: GenerativeReplier) -> None:
    result = chat_once(replier, "I had an awful day at work", allowed=False)
    assert FakeOpenAI.requests == []
    assert result.action("generative_used") is None


def test_crisis_turns_never_reach_the_model(replier: GenerativeReplier) -> None:
    result = chat_once(replier, "I had an awful day and I want to kill myself")
    assert FakeOpenAI.requests == []
    assert result.reply_messages[0] == CRISIS_TEMPLATE


def test_unreachable_server_falls_back() -> None:
    closed = GenerativeReplier(
        GenerativeConfig(base_url="http://127.0.0.1:9", model="m", timeout_s=0.5)
    )
    assert closed.generate(["hello"]).reason in {"error", "timeout"}
    closed.close()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("As a therapist, I think you should rest.", "claims_human"),
        ("I'm not a bot, I promise.", "claims_human"),
        ("You might have bipolar disorder.", "diagnosis"),
        ("This sounds like clinical depression.", "diagnosis"),
        ("Try melatonin tonight.", "medication"),
        ("Maybe increase your dose a little.", "medication"),
        ("Taking more pills than prescribed is an overdose.", "method_details"),
        ("Some people jump from a bridge.", "method_details"),
        ("See https://example.org for help.", "contact_details"),
    ],
)
def test_guard_rail_rules(text: str, rule: str) -> None:
    assert rule in violations(text)


@pytest.mark.parametrize(
    "text",
    [
        NORMAL,
        "It sounds like today took a lot out of you.",
        "That must have felt lonely. You deserved to be noticed.",
        "It makes sense that you feel anxious before a big day.",
    ],
)
def test_ordinary_warm_replies_pass(text: str) -> None:
    assert violations(text) == []


def test_empty_and_long_replies_are_refused() -> None:
    assert "empty" in violations("  ")
    assert "too_long" in violations("word " * 200)
