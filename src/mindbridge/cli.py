"""The `mindbridge` command: one typer root, with each capability registering its own commands."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="mindbridge: blended-care mental-health platform.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure models on labelled data.", no_args_is_help=True)
bench_app = typer.Typer(help="Run benchmarks and simulations.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")

# Each module exposes `register(root, eval_app, bench_app)`.
_DOMAIN_CLIS = (
    "mindbridge.safety.cli",
    "mindbridge.assessments.cli",
    "mindbridge.signals.cli",
    "mindbridge.recommender.cli",
)


def _register_domains() -> None:
    for name in _DOMAIN_CLIS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # capability not built yet
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(app, eval_app, bench_app)


_register_domains()

if __name__ == "__main__":
    app()
