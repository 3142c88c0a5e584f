"""Passive signals: ingestion, daily features, personal baselines, deterioration scores, alerts.

The core modules re-exported here are pure Python/numpy and touch neither the database nor the
web; the platform around them is `models`, `service` (imports, recompute, alerts, nudges),
`views`, `tasks`, `overview` and `demo`. The core API:

- parse_generic_csv / parse_generic_json / parse_actigraphy_csv / parse_apple_health /
  parse_api_batch -> ParseResult (observations, rejected rows, fatal error); each takes a
  `progress(done, total)` callback. `result.require_ok()` gives the batch or raises, for
  all-or-nothing imports. Store `batch.records()` keyed by (client, dedup_key).
- daily_from_observations(batch, tz, first, last, self_report=...) -> DailyInputs
- compute_features(inputs) -> FeatureSet; assess(features, DetectorConfig()) -> Assessment
- explain(assessment, client, day) -> Explanation; data_notices(inputs, client, day)
- decide_alert(today, recent_scores, past_alerts, AlertPolicy()) -> AlertDecision
"""

from mindbridge.signals.alerts import (
    AlertDecision,
    AlertPolicy,
    PastAlert,
    alert_days,
    decide_alert,
)
from mindbridge.signals.api import BatchIn, ObservationIn, parse_api_batch
from mindbridge.signals.baseline import BaselineConfig
from mindbridge.signals.catalog import STREAMS, StreamSpec
from mindbridge.signals.daily import DailyInputs, daily_from_observations
from mindbridge.signals.detector import Assessment, DetectorConfig, assess
from mindbridge.signals.explain import DataNotice, Explanation, Finding, data_notices, explain
from mindbridge.signals.features import FEATURES, FeatureSet, FeatureSpec, compute_features
from mindbridge.signals.ingest_actigraphy import parse_actigraphy_csv
from mindbridge.signals.ingest_apple import iter_apple_health, parse_apple_health
from mindbridge.signals.ingest_generic import parse_generic_csv, parse_generic_json
from mindbridge.signals.records import (
    ImportRejected,
    Observation,
    ObservationBatch,
    ParseResult,
    ProgressCallback,
    RejectedRow,
)

__all__ = [
    "FEATURES",
    "STREAMS",
    "AlertDecision",
    "AlertPolicy",
    "Assessment",
    "BaselineConfig",
    "BatchIn",
    "DailyInputs",
    "DataNotice",
    "DetectorConfig",
    "Explanation",
    "FeatureSet",
    "FeatureSpec",
    "Finding",
    "ImportRejected",
    "Observation",
    "ObservationBatch",
    "ObservationIn",
    "ParseResult",
    "PastAlert",
    "ProgressCallback",
    "RejectedRow",
    "StreamSpec",
    "alert_days",
    "assess",
    "compute_features",
    "daily_from_observations",
    "data_notices",
    "decide_alert",
    "explain",
    "iter_apple_health",
    "parse_actigraphy_csv",
    "parse_api_batch",
    "parse_apple_health",
    "parse_generic_csv",
    "parse_generic_json",
]
