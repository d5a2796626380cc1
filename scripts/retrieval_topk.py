"""Top-k of the fused index: the share of answerable questions with a gold place among the first k hits.

Usage: VSH_DATA_DIR=... python scripts/retrieval_topk.py SET.jsonl [SET.jsonl ...]
Prints one JSON line per set: questions counted, top-1/3/5/10, and the index's model. A gold match is
`evals.metrics.matches_gold`; only answerable questions with gold places count.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from evals.metrics import Located, matches_gold
from evals.questions import load_questions
from index.search import GuidanceIndex
from vsh.settings import get_settings

CUTOFFS = (1, 3, 5, 10)


def main(paths: list[str]) -> None:
    index = GuidanceIndex.open(get_settings())
    for path in paths:
        questions = [q for q in load_questions(Path(path)) if q.answerable and q.gold]
        first_gold: list[int | None] = []
        for question in questions:
            hits = index.search(question.question, k=max(CUTOFFS))
            rank = next(
                (
                    hit.rank
                    for hit in hits
                    if any(
                        matches_gold(
                            Located(hit.doc.doc_id, tuple(hit.passage.paragraphs), tuple(hit.passage.pages)), g
                        )
                        for g in question.gold
                    )
                ),
                None,
            )
            first_gold.append(rank)
        row: dict[str, object] = {"set": Path(path).name, "questions": len(questions)}
        for k in CUTOFFS:
            row[f"top{k}"] = round(sum(1 for r in first_gold if r is not None and r <= k) / len(questions), 3)
        row["model"] = Path(index.snapshot.model).name
        print(json.dumps(row))


if __name__ == "__main__":
    main(sys.argv[1:])
