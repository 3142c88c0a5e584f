"""The companion: structured, reviewed exercises in a warm chat, with safety before every turn.

Public API (pure: no database or web imports):

    companion = Companion(Deps(screen=..., crisis_response=..., emotions=..., distortions=...,
                               support_resources=..., generative=None))
    result = companion.turn(state, "I can't sleep again", CompanionContext(now=..., memory=...))
    result.reply_messages, result.actions, result.new_state, result.new_memory, result.risk_level
    state = ConversationState.from_dict(json)   # and .to_dict(); Memory likewise
    run_script(lines, state, memory, deps)      # [{"user", "reply", "flow", "risk_level"}]
    flows = load_flows()                        # every flow file, validated (FlowError)
    Router.default().route("my head won't stop going over it").intent  # "worry"
"""

from mindbridge.companion.companion import Companion
from mindbridge.companion.flowspec import (
    FLOW_IDS,
    Flow,
    FlowError,
    FlowLibrary,
    default_flows,
    load_flow,
    load_flows,
    parse_flow,
)
from mindbridge.companion.generative import (
    GenerationResult,
    GenerativeConfig,
    GenerativeReplier,
    violations,
)
from mindbridge.companion.ports import (
    CrisisResponder,
    Deps,
    DistortionDetector,
    EmotionAnalyser,
    ResourceProvider,
    Screener,
    ScreeningLike,
    level_of,
)
from mindbridge.companion.router import Route, Router
from mindbridge.companion.script import run_script
from mindbridge.companion.sleep import adjust_window, diary_night, sleep_efficiency, sleep_window
from mindbridge.companion.state import (
    Action,
    CompanionContext,
    ConversationState,
    ExerciseOutcome,
    FlowPosition,
    Homework,
    Memory,
    Offer,
    TurnResult,
)

__all__ = [
    "FLOW_IDS",
    "Action",
    "Companion",
    "CompanionContext",
    "ConversationState",
    "CrisisResponder",
    "Deps",
    "DistortionDetector",
    "EmotionAnalyser",
    "ExerciseOutcome",
    "Flow",
    "FlowError",
    "FlowLibrary",
    "FlowPosition",
    "GenerationResult",
    "GenerativeConfig",
    "GenerativeReplier",
    "Homework",
    "Memory",
    "Offer",
    "ResourceProvider",
    "Route",
    "Router",
    "Screener",
    "ScreeningLike",
    "TurnResult",
    "adjust_window",
    "default_flows",
    "diary_night",
    "level_of",
    "load_flow",
    "load_flows",
    "parse_flow",
    "run_script",
    "sleep_efficiency",
    "sleep_window",
    "violations",
]
