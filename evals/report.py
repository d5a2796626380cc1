"""Per-run HTML report and JSON summary, and a plot of the figures across runs.

The HTML report reads on a phone (no sideways scroll): a summary table (this run beside the previous run of the
same question set), a chart of lead, recall, facts and declines by date over the set's runs (inline SVG), then
the questions that got worse since the previous run, then every other question, collapsed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals.models import EvalRun
from evals.report_plot import svg_chart
from evals.results import compare_runs, list_runs, run_rows
from storage import TranscriptStore

__all__ = ["PLOTTED", "plot_runs", "write_report"]

TEMPLATES = Path(__file__).with_name("templates")
PLOTTED = ("lead", "recall@5", "fact_coverage", "decline_accuracy")
SUMMARY = (
    ("lead", "lead: first citation at a gold place"),
    ("cited_gold", "cited gold: any citation at a gold place"),
    ("recall@5", "recall@5: gold places in the top 5"),
    ("fact_coverage", "facts: key facts in the answer"),
    ("decline_accuracy", "declines: unanswerable questions declined"),
    ("false_decline_rate", "false declines: answerable ones declined"),
    ("citations_per_answer", "citations per answer"),
    ("latency_p50_ms", "latency p50 (ms)"),
)
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def write_report(store: TranscriptStore, run: EvalRun, out_dir: Path) -> dict[str, Path]:
    """Write `<run>.html`, `<run>.json` and `runs.png` into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = json.loads(run.summary_json or "{}")
    rows = run_rows(store, run.id)
    html_path = out_dir / f"run-{run.id[:12]}.html"
    json_path = out_dir / f"run-{run.id[:12]}.json"
    oldest_first = [r for r in reversed(list_runs(store)) if r.set_path == run.set_path]
    ids = [r.id for r in oldest_first]
    same_set = oldest_first[: ids.index(run.id) + 1] if run.id in ids else [run]
    previous = same_set[-2] if len(same_set) > 1 else None
    worse: dict[str, Any] = {}
    if previous is not None:
        worse = {c.question_id: c for c in compare_runs(store, previous.id, run.id) if c.verdict in ("worse", "mixed")}
    chart = svg_chart(
        [(r.started_at, json.loads(r.summary_json or "{}").get("overall", {})) for r in same_set],
        f"Lead, recall@5, facts and declines of the runs of {Path(run.set_path).name}, by date",
    )
    html = _env.get_template("report.html").render(
        run=run,
        summary=summary,
        previous=json.loads(previous.summary_json or "{}").get("overall", {}) if previous else None,
        previous_run=previous,
        figures=SUMMARY,
        chart=chart,
        worse=[row for row in rows if row.result.question_id in worse],
        changes=worse,
        rest=[row for row in rows if row.result.question_id not in worse],
    )
    html_path.write_text(html, encoding="utf-8")
    json_path.write_text(
        json.dumps(
            {
                "run_id": run.id,
                "name": run.name,
                "set": run.set_path,
                "set_hash": run.set_hash,
                "git_commit": run.git_commit,
                "index_version": run.index_version,
                "model": run.model,
                "started_at": run.started_at.isoformat() if run.started_at else None,
                "summary": summary,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    plot_path = plot_runs(store, out_dir / "runs.png")
    return {"html": html_path, "json": json_path, "plot": plot_path}


def plot_runs(store: TranscriptStore, path: Path) -> Path:
    """Line chart of lead, recall, facts and declines by date over the runs of the newest run's question set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = list(reversed(list_runs(store)))
    if runs:
        runs = [r for r in runs if r.set_path == runs[-1].set_path]
    summaries = [json.loads(run.summary_json or "{}").get("overall", {}) for run in runs]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    dates: list[Any] = [run.started_at for run in runs]
    for metric in PLOTTED:
        values = [summary.get(metric) for summary in summaries]
        axes.plot(dates, [v if v is not None else float("nan") for v in values], marker="o", label=metric)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("score")
    axes.set_title("Evaluation figures across runs")
    axes.legend(loc="lower left", fontsize="small")
    axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
