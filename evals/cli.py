"""`vsh eval run|list|compare|report` and `vsh users add|list|remove`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from evals.questions import QuestionSetError
from evals.results import compare_runs, get_run, list_runs
from evals.reviewers import ReviewerError, add_reviewer, list_reviewers, remove_reviewer
from settings import get_settings
from storage import TranscriptStore

if TYPE_CHECKING:
    from evals.ranker_training import Labelled

__all__ = ["eval_app", "users_app"]

eval_app = typer.Typer(no_args_is_help=True)
users_app = typer.Typer(no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _store() -> TranscriptStore:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = TranscriptStore(settings.resolved_database_url)
    store.migrate()
    return store


def _figures_table(title: str, overall: dict[str, object]) -> Table:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in overall.items():
        table.add_row(key, "–" if value is None else str(value))
    return table


TOPIC_FIGURES = ("questions", "lead", "cited_gold", "citations_per_answer", "fact_coverage", "decline_accuracy")


def _show(value: object) -> str:
    return "–" if value is None else str(round(value, 3) if isinstance(value, float) else value)


def _topics_table(by_topic: dict[str, dict[str, object]]) -> Table:
    table = Table(title="By topic")
    table.add_column("topic")
    for figure in TOPIC_FIGURES:
        table.add_column(figure.replace("_", " "), justify="right")
    for topic, figures in by_topic.items():
        table.add_row(topic, *(_show(figures.get(f)) for f in TOPIC_FIGURES))
    return table


def _evidence_table(by_level: dict[str, dict[str, object]]) -> Table:
    table = Table(title="Evidence label x lead (answerable questions)")
    for column in ("evidence", "answers", "lead right"):
        table.add_column(column, justify="right")
    for level, figures in by_level.items():
        table.add_row(level, _show(figures.get("answers")), _show(figures.get("lead_right")))
    return table


@eval_app.command("run")
def run(
    question_set: Annotated[Path, typer.Argument(help="JSON Lines question set, e.g. evals/datasets/dev.jsonl")],
    name: Annotated[str, typer.Option(help="A name for the run.")] = "",
    k: Annotated[int, typer.Option("--k", min=1, help="Cut-off for retrieval recall.")] = 5,
    report: Annotated[bool, typer.Option(help="Write the HTML/JSON report afterwards.")] = True,
) -> None:
    """Answer every question through the channels' pipeline, store and score the run."""
    from assistant import Assistant
    from evals.runner import run_eval
    from index import IndexUnavailable

    settings = get_settings()
    store = _store()
    try:
        assistant = Assistant(settings)
        _ = assistant.index
        run_id = run_eval(question_set, settings, store=store, assistant=assistant, name=name, k=k)
    except QuestionSetError as exc:
        errors.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from exc
    except IndexUnavailable as exc:
        errors.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=2) from exc
    stored = get_run(store, run_id)
    assert stored is not None
    summary = json.loads(stored.summary_json)
    console.print(_figures_table(f"Run {run_id} ({stored.name})", summary["overall"]))
    console.print(_topics_table(summary.get("by_topic", {})))
    console.print(_evidence_table(summary.get("evidence_by_lead", {})))
    if report:
        from evals.report import write_report

        paths = write_report(store, stored, settings.data_dir / "reports")
        console.print(f"report: {paths['html']}\nsummary: {paths['json']}\nplot: {paths['plot']}")
    typer.echo(f"run id: {run_id}")


@eval_app.command("list")
def list_command() -> None:
    """List stored runs, newest first."""
    table = Table(title="Evaluation runs")
    for column in ("run id", "name", "started", "commit", "recall@5", "facts", "declines"):
        table.add_column(column)
    for stored in list_runs(_store()):
        overall = json.loads(stored.summary_json or "{}").get("overall", {})
        table.add_row(
            stored.id,
            stored.name,
            f"{stored.started_at:%Y-%m-%d %H:%M}",
            stored.git_commit[:10],
            str(overall.get("recall@5")),
            str(overall.get("fact_coverage")),
            str(overall.get("decline_accuracy")),
        )
    console.print(table)


@eval_app.command("compare")
def compare(
    run_a: Annotated[str, typer.Argument(help="Earlier run id (or unique prefix).")],
    run_b: Annotated[str, typer.Argument(help="Later run id (or unique prefix).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What got better and worse, question by question; answers once marked wrong/unsafe come first."""
    store = _store()
    first, second = get_run(store, run_a), get_run(store, run_b)
    if first is None or second is None:
        errors.print(f"error: no run {run_a if first is None else run_b!r} (see `vsh eval list`)")
        raise typer.Exit(code=1)
    changes = compare_runs(store, first.id, second.id)
    overall_a = json.loads(first.summary_json).get("overall", {})
    overall_b = json.loads(second.summary_json).get("overall", {})
    if as_json:
        payload = {
            "run_a": first.id,
            "run_b": second.id,
            "overall": {key: [overall_a.get(key), overall_b.get(key)] for key in overall_b},
            "questions": [
                {
                    "question_id": c.question_id,
                    "topic": c.topic,
                    "verdict": c.verdict,
                    "changes": {key: list(value) for key, value in c.changes.items()},
                    "answer_changed": c.answer_changed,
                    "previously_flagged": c.previously_flagged,
                }
                for c in changes
            ],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    totals = Table(title=f"{first.id[:8]} → {second.id[:8]}")
    for column in ("figure", "A", "B"):
        totals.add_column(column)
    for key in overall_b:
        totals.add_row(key, str(overall_a.get(key)), str(overall_b.get(key)))
    console.print(totals)
    table = Table(title="Questions that changed")
    for column in ("question", "topic", "verdict", "changes", "answer", "flag"):
        table.add_column(column, overflow="fold")
    for change in changes:
        if change.verdict == "same" and not change.answer_changed:
            continue
        detail = ", ".join(f"{k} {a}→{b}" for k, (a, b) in change.changes.items())
        flag = f"was marked {change.previously_flagged}" if change.previously_flagged else ""
        style = "bold red" if change.previously_flagged and change.answer_changed else None
        table.add_row(
            change.question_id,
            change.topic,
            change.verdict,
            detail,
            "changed" if change.answer_changed else "",
            flag,
            style=style,
        )
    console.print(table)


@eval_app.command("report")
def report_command(
    run_id: Annotated[str, typer.Argument(help="Run id (or unique prefix).")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: <data dir>/reports).")] = None,
) -> None:
    """Write a run's HTML report, JSON summary and the plot across runs."""
    from evals.report import write_report

    store = _store()
    stored = get_run(store, run_id)
    if stored is None:
        errors.print(f"error: no run {run_id!r} (see `vsh eval list`)")
        raise typer.Exit(code=1)
    paths = write_report(store, stored, out or get_settings().data_dir / "reports")
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")


@eval_app.command("train-ranker")
def train_ranker(
    question_sets: Annotated[list[Path], typer.Argument(help="Question sets with gold places to train on.")],
    write: Annotated[bool, typer.Option(help="Write assistant/ranker.json (else only print the figures).")] = False,
    features: Annotated[str, typer.Option(help="Comma-separated features (default: the shipped choice).")] = "",
    c: Annotated[float, typer.Option("--c", help="Inverse regularisation strength.")] = 0.5,
    ablation: Annotated[bool, typer.Option(help="Also print each feature left out in turn.")] = False,
    calibrate_with: Annotated[
        list[Path] | None,
        typer.Option(help="Question sets not trained on whose leads also calibrate the weak evidence threshold."),
    ] = None,
    further: Annotated[
        bool,
        typer.Option(help="Train the further-points model (assistant/ranker-further.json) instead."),
    ] = False,
) -> None:
    """Train the reranker on the sets, print cross-validated top-1/3/5 (fused vs reranked), optionally save it."""
    import json as json_

    from assistant import Assistant
    from assistant.rerank import FEATURES, RANKER_PATH
    from evals.ranker_training import (
        DEFAULT_FEATURES,
        FURTHER_FEATURES,
        calibrate,
        cross_validate,
        fit,
        label_questions,
        leads,
    )

    default = FURTHER_FEATURES if further else DEFAULT_FEATURES
    chosen = [f.strip() for f in features.split(",") if f.strip()] or list(default)
    unknown = [f for f in chosen if f not in FEATURES]
    if unknown:
        errors.print(f"error: unknown features {unknown}; known: {', '.join(FEATURES)}")
        raise typer.Exit(code=1)
    try:
        assistant = Assistant(get_settings())
        data = label_questions(assistant, question_sets)
        others = label_questions(assistant, calibrate_with or [])
    except QuestionSetError as exc:
        errors.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from exc
    if further:
        _train_further(data, chosen, c, write)
        return
    variants = [("chosen", chosen)]
    if ablation:
        variants += [(f"without {f}", [g for g in chosen if g != f]) for f in chosen]
        variants += [(f"with {f}", [*chosen, f]) for f in FEATURES if f not in chosen]
    table = Table(title=f"Reranker, 5-fold cross-validation ({len(data)} answerable questions)")
    for column in ("variant", "set", "fused@1", "reranked@1", "@3", "@5"):
        table.add_column(column)
    out_of_fold: list[tuple[float, bool]] = []
    for name, cols in variants:
        held_out = out_of_fold if name == "chosen" else None
        for set_name, figures in cross_validate(data, cols, c, out_of_fold=held_out).items():
            table.add_row(
                name, set_name[:12], *(str(figures[k]) for k in ("fused@1", "reranked@1", "reranked@3", "reranked@5"))
            )
    console.print(table)
    ranker = fit(data, chosen, c)
    held_out = leads(others, ranker)
    thresholds = calibrate(out_of_fold, held_out)
    console.print(f"evidence thresholds (held-out, {len(out_of_fold)} + {len(held_out)} leads): {thresholds}")
    if write:
        ranker.thresholds = thresholds
        RANKER_PATH.write_text(json_.dumps(ranker.to_json(), indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote {RANKER_PATH}")


def _train_further(data: list[Labelled], chosen: list[str], c: float, write: bool) -> None:
    """Print the further-points model's cross-validated figures and optionally write it."""
    from assistant.rerank import FURTHER_RANKER_PATH
    from evals.ranker_training import cross_validate_further, fit

    table = Table(title=f"Further points, 5-fold cross-validation ({len(data)} answerable questions)")
    for column in ("set", "lead + 2 by the reranker", "lead + 2 by the further-points model"):
        table.add_column(column)
    for set_name, figures in cross_validate_further(data, chosen, c).items():
        table.add_row(set_name[:12], str(figures["reranked@3"]), str(figures["further@3"]))
    console.print(table)
    if write:
        model = fit(data, chosen, c).to_json()
        model.pop("thresholds")  # evidence is the lead's: the reranker's thresholds
        FURTHER_RANKER_PATH.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote {FURTHER_RANKER_PATH}")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Reviewer name used to log in to /review.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create a reviewer account (or reset its password)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        add_reviewer(_store(), username, password)
    except ReviewerError as exc:
        errors.print(f"error: {exc}")
        raise typer.Exit(code=1) from exc
    console.print(f"reviewer {username.strip().lower()} can now log in at /review")


@users_app.command("list")
def users_list() -> None:
    """List reviewer accounts."""
    for username, active in list_reviewers(_store()):
        console.print(f"{username}{'' if active else ' (disabled)'}")


@users_app.command("remove")
def users_remove(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a reviewer account."""
    try:
        remove_reviewer(_store(), username)
    except ReviewerError as exc:
        errors.print(f"error: {exc}")
        raise typer.Exit(code=1) from exc
    console.print(f"reviewer {username} disabled")
