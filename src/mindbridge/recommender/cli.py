"""`mindbridge bench recommender` (the offline simulation that measures the policy) and
`mindbridge recommender pool` (refit the shared layer from consenting clients' outcomes)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mindbridge.recommender.simulation import SimSettings, simulate

TARGET_REDUCTION = 0.20
TARGET_GROUP_GAP = 0.10


def bench_recommender(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    people: Annotated[int, typer.Option(min=10, help="Simulated people.")] = 1000,
    days: Annotated[int, typer.Option(min=5, help="Days simulated.")] = 60,
    seed: Annotated[int, typer.Option(help="World seed (0 is the reported one).")] = 0,
    horizon: Annotated[int, typer.Option(min=1, help="Interactions for regret@H.")] = 30,
    ablation: Annotated[
        bool, typer.Option(help="Also run the policy without the pooled population layer.")
    ] = False,
) -> None:
    """Compare the policy with random, rules-only and the best fixed exercise in hindsight."""
    settings = SimSettings(people=people, days=days, seed=seed, horizon=horizon)
    err = Console(stderr=True)
    result = simulate(
        settings,
        progress=None if as_json else lambda msg: err.print(f"[dim]running {msg}...[/dim]"),
        ablation=ablation,
    )
    h = horizon
    result["targets"] = {
        "regret_reduction_vs_rules": TARGET_REDUCTION,
        "max_group_gap": TARGET_GROUP_GAP,
        "met": bool(
            result["regret_reduction_vs_rules"] >= TARGET_REDUCTION
            and result["policy_max_group_gap"] <= TARGET_GROUP_GAP
        ),
    }
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    print_report(result, h)


def print_report(result: dict[str, Any], h: int) -> None:
    console = Console(width=118)
    s = result["settings"]
    table = Table(
        title=f"Recommender simulation: {s['people']} people, {s['days']} days, seed {s['seed']}"
    )
    for column in (
        "policy",
        f"regret@{h}",
        "cum. regret/person",
        "cum. reward/person",
        "retention",
        "group A/B/C vs avg",
    ):
        table.add_column(column)
    for name, row in result["policies"].items():
        label = name if name != "best_fixed" else f"best fixed ({result['best_fixed_exercise']})"
        groups = " / ".join(f"{g['relative_to_average']:+.1%}" for g in row["groups"].values())
        table.add_row(
            label,
            f"{row[f'regret_at_{h}']:.3f}",
            f"{row['cumulative_regret_per_person']:.2f}",
            f"{row['cumulative_reward_per_person']:.2f}",
            f"{row['retention']:.1%}",
            groups,
        )
    console.print(table)
    lat = result["latency"]
    console.print(
        f"regret_reduction_vs_rules = {result['regret_reduction_vs_rules']:.3f} "
        f"(target >= {TARGET_REDUCTION}); max group gap = {result['policy_max_group_gap']:+.3f} "
        f"(target <= {TARGET_GROUP_GAP}); targets met: {result['targets']['met']}"
    )
    console.print(
        f"recommend() latency p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms wall; "
        f"CPU p50 {lat['cpu_p50_ms']:.2f} ms, p99 {lat['cpu_p99_ms']:.2f} ms "
        f"over {lat['samples']} calls"
    )


recommender_app = typer.Typer(help="The exercise recommender.", no_args_is_help=True)


@recommender_app.command("pool")
def pool() -> None:
    """Refit the shared (population) layer from the outcomes of consenting clients only."""
    from mindbridge.audit.service import AuditContext
    from mindbridge.db import transaction, utcnow
    from mindbridge.recommender import service as recommender_service
    from mindbridge.runtime import runtime

    rt = runtime()
    with transaction(rt.sessions) as db:
        done = recommender_service.rebuild_population(
            db, AuditContext(actor=None, request_id="cli-recommender-pool"), now=utcnow()
        )
    typer.echo(
        f"shared layer revision {done.revision}: {done.events} outcomes from {done.clients} "
        f"consenting clients ({done.skipped_clients} clients not pooled)"
    )


def register(root: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    bench_app.command("recommender")(bench_recommender)
    root.add_typer(recommender_app, name="recommender")
