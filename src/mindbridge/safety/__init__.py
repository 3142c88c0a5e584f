"""Safety: crisis-language screening, crisis responses, safety plans and alert rules.

Public entry points (import the module you need; nothing heavy loads until first use):

- `mindbridge.safety.screening.screen(text, *, context=())` -> `Screening`
- `mindbridge.safety.screening.screen_phq9_item9(answer)` -> `Screening`
- `mindbridge.safety.templates.crisis_message(level, *, locale, ...)` -> `CrisisMessage | None`
- `mindbridge.safety.resources.resources_for_locale(locale)` / `CrisisDirectory`
- `mindbridge.safety.safety_plan.SafetyPlan`, `render_text`, `screen_changes`
- `mindbridge.safety.alerts.open_alert`, `acknowledge`, `resolve`, `escalation_due`, `route`

See docs/safety.md.
"""
