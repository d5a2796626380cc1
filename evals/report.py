"""Per-run HTML report and JSON summary, and a plot of the figures across runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals.models import EvalRun
from evals.results import list_runs, run_rows
from storage import TranscriptStore

__all__ = ["PLOTTED", "plot_runs", "write_report"]

TEMPLATES = Path(__file__).with_name("templates")
PLOTTED = ("recall@5", "mrr", "citation_precision", "fact_coverage", "decline_accuracy")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def write_report(store: TranscriptStore, run: EvalRun, out_dir: Path) -> dict[str, Path]:
    """Write `<run>.html`, `<run>.json` and `runs.png` into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = json.loads(run.summary_json or "{}")
    rows = run_rows(store, run.id)
    html_path = out_dir / f"run-{run.id[:12]}.html"
    json_path = out_dir / f"run-{run.id[:12]}.json"
    html = _env.get_template("report.html").render(run=run, summary=summary, rows=rows)
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
    """Line chart of the main figures over all runs, oldest to newest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = list(reversed(list_runs(store)))
    summaries = [json.loads(run.summary_json or "{}").get("overall", {}) for run in runs]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    labels = [f"{run.started_at:%m-%d %H:%M}" if run.started_at else run.id[:6] for run in runs]
    for metric in PLOTTED:
        values = [summary.get(metric) for summary in summaries]
        axes.plot(labels, [v if v is not None else float("nan") for v in values], marker="o", label=metric)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("score")
    axes.set_title("Evaluation figures across runs")
    axes.legend(loc="lower left", fontsize="small")
    axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
