"""The companion on the platform with its optional parts switched on: generative replies from a
local OpenAI-compatible server (only with the client's consent, never for crisis text, and with
the reviewed wording when the server fails), the text models (feelings named back, thinking
traps suggested in a thought record), and the recommender's order for topic offers."""

from __future__ import annotations

import pytest

from mindbridge import language
from mindbridge.access.domain import Purpose, Stream
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.companion import service as companion_service
from mindbridge.config import Settings
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from tests.companion.test_generative import NORMAL, FakeOpenAI, server  # noqa: F401
from tests.companion.test_service import _turn

OPEN_TURN = "I had an awful day at work and everyone ignored me"
THOUGHT_RECORD_TO_THE_THOUGHT = (
    "can we do a thought record",
    "4",
    "my manager criticised my report in front of everyone",
    "ashamed",
    "80",
    "I'm useless and I'm going to get fired",
)


@pytest.fixture
def model_server(request: pytest.FixtureRequest) -> str:
    """The local OpenAI-compatible server of test_generative, with its request log emptied."""
    FakeOpenAI.requests.clear()
    url: str = request.getfixturevalue("server")
    return url


def _configure(rt, url: str) -> None:  # type: ignore[no-untyped-def]
    rt.settings.generative_url = url
    rt.settings.generative_model = "clinic-model"
    rt.settings.generative_timeout_seconds = 1.0


def _consent_to_model_replies(rt, client_id: int, granted: bool = True) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(actor=None, request_id="t"),
            client_id=client_id,
            wanted={(Stream.COMPANION, Purpose.MODEL_REPLIES): granted},
        )


def test_settings_refuse_a_model_server_without_a_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="MINDBRIDGE_GENERATIVE_MODEL"):
        Settings(data_dir=tmp_path, generative_url="http://127.0.0.1:1/v1")
    with pytest.raises(ValueError, match="MINDBRIDGE_GENERATIVE_URL"):
        Settings(data_dir=tmp_path, generative_url="ftp://x", generative_model="m")
    key_file = tmp_path / "key"
    key_file.write_text("k-secret\n")
    settings = Settings(
        data_dir=tmp_path,
        generative_url="http://127.0.0.1:1/v1",
        generative_model="m",
        generative_api_key_file=key_file,
    )
    assert settings.generative_enabled and settings.generative_key() == "k-secret"


def test_generative_replies_need_the_clients_consent(rt, personas, model_server) -> None:  # type: ignore[no-untyped-def]
    _configure(rt, model_server)
    _turn(rt, personas.client, "hello")
    without = _turn(rt, personas.client, OPEN_TURN)
    assert NORMAL not in without.reply and FakeOpenAI.requests == []

    _consent_to_model_replies(rt, personas.client)
    with_consent = _turn(rt, personas.client, OPEN_TURN)
    assert NORMAL in with_consent.reply
    assert FakeOpenAI.requests[-1]["body"]["model"] == "clinic-model"
    assert any(a["kind"] == "generative_used" for a in with_consent.actions)

    _consent_to_model_replies(rt, personas.client, granted=False)
    FakeOpenAI.requests.clear()
    revoked = _turn(rt, personas.client, OPEN_TURN)
    assert NORMAL not in revoked.reply and FakeOpenAI.requests == []


def test_crisis_text_never_reaches_the_model_server(rt, personas, model_server) -> None:  # type: ignore[no-untyped-def]
    _configure(rt, model_server)
    _consent_to_model_replies(rt, personas.client)
    reply = _turn(rt, personas.client, "I want to kill myself tonight, I have the pills ready")
    assert reply.risk_level == "imminent"
    assert FakeOpenAI.requests == []
    assert NORMAL not in reply.reply


def test_a_failing_model_server_falls_back_to_reviewed_wording(rt, personas, model_server) -> None:  # type: ignore[no-untyped-def]
    _configure(rt, model_server)
    _consent_to_model_replies(rt, personas.client)
    for marker, reason in (("[error]", "error"), ("[meds]", "rules:medication")):
        reply = _turn(rt, personas.client, f"{OPEN_TURN} {marker}")
        fallback = [a for a in reply.actions if a["kind"] == "generative_fallback"]
        assert fallback and fallback[0]["data"]["reason"] == reason
        assert reply.reply  # the reviewed wording still answers
        assert not any("sertraline" in line for line in reply.reply)
    _configure(rt, "http://127.0.0.1:9/v1")  # nothing listens there
    reply = _turn(rt, personas.client, OPEN_TURN)
    assert any(a["kind"] == "generative_fallback" for a in reply.actions)


def test_topic_offers_follow_the_recommenders_order(rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """'I can't sleep' offers the sleep exercises; their order is the recommender's."""
    from mindbridge.recommender import service as recommender_service

    real = recommender_service.recommend
    calls: list[bool] = []

    def ranked(*args, **kwargs):  # type: ignore[no-untyped-def]
        offered = real(*args, **kwargs)
        calls.append(kwargs.get("store", True))
        return offered

    monkeypatch.setattr(recommender_service, "recommend", ranked)
    _turn(rt, personas.client, "hello")
    calls.clear()
    reply = _turn(rt, personas.client, "I keep putting off my thesis")
    assert calls == [False]  # asked once, not stored as an offer
    assert "One tiny step" in "\n".join(reply.reply)


@pytest.mark.slow
def test_text_models_name_feelings_and_suggest_thinking_traps(rt, personas) -> None:  # type: ignore[no-untyped-def]
    rt.settings.companion_text_models = True
    language.warm_up()  # what `mindbridge serve` does in the background at start
    with transaction(rt.sessions) as db:
        user = db.get(User, personas.client)
        assert user is not None
    emotions, distortions = companion_service.text_models(rt.settings)
    assert emotions is not None and distortions is not None

    reflected = _turn(rt, personas.client, "I can't sleep again and I feel so anxious and scared")
    assert any(line.startswith("It sounds like you're feeling") for line in reflected.reply)

    for text in THOUGHT_RECORD_TO_THE_THOUGHT:
        _turn(rt, personas.client, text)
    traps = _turn(rt, personas.client, "90%")
    joined = "\n".join(traps.reply)
    assert "catastrophising (jumping to the worst case)" in joined and "ring true" in joined


def test_without_loaded_models_the_thought_record_skips_the_trap_step(rt, personas) -> None:  # type: ignore[no-untyped-def]
    rt.settings.companion_text_models = False
    assert companion_service.text_models(rt.settings) == (None, None)
    for text in THOUGHT_RECORD_TO_THE_THOUGHT:
        _turn(rt, personas.client, text)
    after = "\n".join(_turn(rt, personas.client, "90%").reply)
    assert "ring true" not in after and "What makes the thought feel true" in after
