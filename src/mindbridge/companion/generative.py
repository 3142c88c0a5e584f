"""Optional generative replies for open, reflective turns, inside guard rails. Off by default.

Used only where the companion would otherwise give a fixed acknowledgement (someone shares
how their day went) and never for crisis turns, exercise content or anything a flow asks.
The guard rails, in order:

1. the input was already screened by the companion (a crisis never reaches this module);
2. a hard time limit on the HTTP call (`timeout_s`), any error or odd response -> fallback;
3. the output is checked against our rules (`violations`): no claims to be human, no
   diagnosis, no medication advice, no method or means details, no phone numbers or links
   (support lines come only from the safety templates), and a length limit;
4. the companion then screens the output with the same screener as user messages;
   anything above `low` -> fallback.

On any failure the caller gets `text=None` and a `reason`, and uses the reviewed wording.
The request goes to `POST {base_url}/chat/completions` (the OpenAI-compatible shape), so a
self-hosted model server works; sending a person's words to it needs their consent, which the
lead expresses as `CompanionContext.generative_allowed`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

SYSTEM_PROMPT = (
    "You are a supportive companion inside a mental-health care service, and you are a "
    "computer program: never say or imply that you are a person. Reply to the user's last "
    "message in one to three short, warm, plain sentences: reflect what they said and how "
    "they might feel, without advice. Never diagnose, never mention medicines or doses, never "
    "describe ways of self-harm, never give phone numbers or links. If they mention wanting "
    "to die or hurting themselves, reply only: 'I want to make sure you get the right support.'"
)
MAX_REPLY_CHARS = 400
MAX_CONTEXT_MESSAGES = 4


@dataclass(frozen=True)
class GenerativeConfig:
    """Where the model lives. `api_key` is sent as a bearer token when set."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 4.0
    max_tokens: int = 120
    temperature: float = 0.4


@dataclass(frozen=True)
class GenerationResult:
    text: str | None
    reason: str  # "ok" or why the fallback is used


_HUMAN_CLAIM = re.compile(
    r"\b(?:i am|i'm|im) (?:a |an )?(?:real |actual )?(?:human|person|woman|man|therapist|"
    r"counsell?or|psychologist|psychiatrist|doctor|nurse|clinician)\b"
    r"|\bas (?:a|your) (?:therapist|counsell?or|psychologist|doctor|nurse|clinician)\b"
    r"|\bi'?m not (?:a |an )?(?:bot|robot|ai|computer|program|machine)\b"
    r"|\b(?:i am|i'm) (?:a )?(?:living|breathing) (?:being|person)\b"
    r"|\bspeaking as a (?:human|person)\b",
    re.I,
)
_DIAGNOSIS = re.compile(
    r"\b(?:you|u) (?:(?:probably|definitely|clearly|might|may|could|likely) )?(?:have|has|are "
    r"suffering from|suffer from|are showing signs of|meet the criteria for)\b[^.?!]{0,40}?"
    r"\b(?:depression|depressive|bipolar|ptsd|ocd|adhd|autism|anxiety disorder|panic disorder|"
    r"schizophreni\w*|psychosis|personality disorder|eating disorder|anorexia|bulimia|insomnia "
    r"disorder|disorder|illness)\b"
    r"|\b(?:sounds|seems|looks) like (?:you have |you've got )?(?:clinical |major )?(?:depression|"
    r"bipolar|ptsd|ocd|adhd|an? (?:\w+ )?disorder)\b"
    r"|\b(?:my |a )?diagnosis\b|\bi (?:would )?diagnose\b",
    re.I,
)
_MEDICATION = re.compile(
    r"\b(?:sertraline|fluoxetine|citalopram|escitalopram|paroxetine|venlafaxine|duloxetine|"
    r"mirtazapine|amitriptyline|bupropion|lithium|quetiapine|olanzapine|aripiprazole|diazepam|"
    r"lorazepam|alprazolam|clonazepam|xanax|valium|zopiclone|zolpidem|ambien|melatonin|"
    r"propranolol|pregabalin|gabapentin|benzodiazepines?|ssris?|snris?|antidepressants?|"
    r"antipsychotics?|sleeping pills?|tranquill?i[sz]ers?|prozac|zoloft|lexapro)\b"
    r"|\b\d+\s?(?:mg|milligrams?|mcg|ml)\b"
    r"|\b(?:take|taking|increase|decrease|reduce|stop|double|skip|up) (?:your |the |a |some )?"
    r"(?:dose|dosage|meds|medication|medicine|pills?|tablets?)\b"
    r"|\b(?:dose|dosage)\b",
    re.I,
)
_METHOD = re.compile(
    r"\b(?:overdose|lethal|noose|hang(?:ing)? yourself|rope|ligature|bridge|cliff|rooftop|"
    r"jump(?:ing)? (?:off|from)|slit|wrists?|razor|blade|cut(?:ting)? (?:yourself|deeper)|"
    r"poison|carbon monoxide|exhaust fumes|firearm|gun|bullet|train tracks?|how many pills|"
    r"(?:painless|quick|easiest|best) way to (?:die|end)|method|means to)\b",
    re.I,
)
_CONTACT = re.compile(r"https?://|www\.|\b\d{3}[\s-]?\d{3,4}\b|\b\d{4,}\b|@[a-z0-9-]+\.", re.I)

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("claims_human", _HUMAN_CLAIM),
    ("diagnosis", _DIAGNOSIS),
    ("medication", _MEDICATION),
    ("method_details", _METHOD),
    ("contact_details", _CONTACT),
)


def violations(text: str) -> list[str]:
    """The guard-rail rules `text` breaks (empty when it may be shown)."""
    found = [name for name, pattern in RULES if pattern.search(text)]
    if not text.strip():
        found.append("empty")
    if len(text) > MAX_REPLY_CHARS:
        found.append("too_long")
    return found


class GenerativeReplier:
    """An OpenAI-compatible chat client that only ever returns rule-checked text."""

    def __init__(self, config: GenerativeConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self._client = client or httpx.Client(timeout=httpx.Timeout(config.timeout_s))

    def close(self) -> None:
        self._client.close()

    def generate(self, recent_user_messages: Sequence[str]) -> GenerationResult:
        """A short reflective reply to the latest messages, or the reason there is none."""
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
        messages += [
            {"role": "user", "content": m}
            for m in list(recent_user_messages)[-MAX_CONTEXT_MESSAGES:]
        ]
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        try:
            response = self._client.post(
                self.config.base_url.rstrip("/") + "/chat/completions",
                json={
                    "model": self.config.model,
                    "messages": messages,
                    "max_tokens": self.config.max_tokens,
                    "temperature": self.config.temperature,
                },
                headers=headers,
                timeout=self.config.timeout_s,
            )
            response.raise_for_status()
            text = str(response.json()["choices"][0]["message"]["content"]).strip()
        except httpx.TimeoutException:
            return GenerationResult(None, "timeout")
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError):
            return GenerationResult(None, "error")
        broken = violations(text)
        if broken:
            return GenerationResult(None, "rules:" + ",".join(broken))
        return GenerationResult(text, "ok")
