"""PII detection measured on the labelled English + Spanish test set: P/R/F1 per type and language, speed.

    .venv/bin/python bench/pii.py                 # the tables of docs/security.md
    .venv/bin/python bench/pii.py --errors        # and every miss and false alarm, with its sentence

Reads ``tests/core/pii_testset.jsonl`` (built by ``tests/core/make_pii_testset.py``), runs
``consenso.core.pii.detect`` on every sentence and ``find_forbidden`` for card security codes and track data,
and scores them with ``consenso.core.pii.evaluation.score`` by exact span and by overlap. It also counts the
labelled hard negatives (order numbers, dates, prices, ...) that some prediction touched, and the throughput:
characters per second of ``detect`` over the whole set, the median of ``--repeat`` passes in one process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from consenso.core.pii import PiiPolicy, detect, find_forbidden, mask_data
from consenso.core.pii.evaluation import Counts, Match, Span, score, total

ROOT = Path(__file__).resolve().parents[1]
TESTSET = ROOT / "tests" / "core" / "pii_testset.jsonl"
LANGS = ("en", "es")
SPLITS = ("tuning", "holdout")


def load(path: Path = TESTSET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def gold_spans(record: dict[str, Any]) -> list[Span]:
    return [Span(e["start"], e["end"], e["type"]) for e in record["entities"]] + [
        Span(f["start"], f["end"], f["kind"]) for f in record["forbidden"]
    ]


def predicted_spans(record: dict[str, Any]) -> list[Span]:
    text = record["text"]
    found = [Span(d.start, d.end, d.entity.value) for d in detect(text)]
    return found + [Span(f.start, f.end, f.kind.value) for f in find_forbidden(text)]


def evaluate(records: list[dict[str, Any]], match: Match) -> dict[str, dict[str, Counts]]:
    """Counts per language (and ``all``), per type."""
    predictions = [predicted_spans(r) for r in records]
    out: dict[str, dict[str, Counts]] = {}
    for lang in (*LANGS, "all"):
        chosen = [i for i, r in enumerate(records) if lang in ("all", r["lang"])]
        out[lang] = score([gold_spans(records[i]) for i in chosen], [predictions[i] for i in chosen], match)
    return out


def split_table(records: list[dict[str, Any]], types: list[str]) -> str:
    """Exact-match P/R/F1 per type on each split: the tuning templates and the held-out ones."""
    lines = ["| type | split | gold | P | R | F1 |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for kind in [*types, "all types"]:
        for split in SPLITS:
            chosen = [r for r in records if r.get("split") == split]
            counts = score([gold_spans(r) for r in chosen], [predicted_spans(r) for r in chosen], "exact")
            c = _counts(counts, kind, types)
            lines.append(
                f"| {kind} | {split} | {c.support} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |"
            )
    return "\n".join(lines)


def negatives_hit(records: list[dict[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """How many hard negatives of each kind there are, and how many a prediction overlapped."""
    seen: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for record in records:
        predictions = predicted_spans(record)
        for negative in record["negatives"]:
            seen[negative["kind"]] += 1
            if any(p.start < negative["end"] and negative["start"] < p.end for p in predictions):
                hit[negative["kind"]] += 1
    return seen, hit


def throughput(records: list[dict[str, Any]], repeat: int) -> tuple[float, int]:
    texts = [r["text"] for r in records]
    chars = sum(len(t) for t in texts)
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            detect(text)
        rates.append(chars / (time.perf_counter() - started))
    return statistics.median(rates), chars


def masking_throughput(records: list[dict[str, Any]], repeat: int) -> float:
    """Characters per second of ``mask_data`` with the default policy, one task per sentence."""
    tasks = [{"text": r["text"], "meta": {"id": r["id"]}} for r in records]
    chars = sum(len(r["text"]) for r in records)
    policy = PiiPolicy()
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for task in tasks:
            mask_data(task, policy)
        rates.append(chars / (time.perf_counter() - started))
    return statistics.median(rates)


def table(results: dict[Match, dict[str, dict[str, Counts]]], types: list[str]) -> str:
    lines = [
        "| type | lang | gold | P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in [*types, "all types"]:
        for lang in (*LANGS, "all"):
            cells = []
            exact = _counts(results["exact"][lang], kind, types)
            overlap = _counts(results["overlap"][lang], kind, types)
            for c in (exact, overlap):
                cells += [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]
            lines.append(f"| {kind} | {lang} | {exact.support} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _counts(by_type: dict[str, Counts], kind: str, types: list[str]) -> Counts:
    if kind == "all types":
        return total({t: c for t, c in by_type.items() if t in types})
    return by_type.get(kind, Counts())


def print_errors(records: list[dict[str, Any]]) -> None:
    for record in records:
        gold = set(gold_spans(record))
        predicted = set(predicted_spans(record))
        text = record["text"]
        for span in sorted(gold - predicted):
            print(f"MISS  {record['id']} {span.type:<18} {text[span.start : span.end]!r}  in  {text}")
        for span in sorted(predicted - gold):
            print(f"FALSE {record['id']} {span.type:<18} {text[span.start : span.end]!r}  in  {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--testset", type=Path, default=TESTSET)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)

    records = load(args.testset)
    results: dict[Match, dict[str, dict[str, Counts]]] = {
        m: evaluate(records, m) for m in ("exact", "overlap")
    }
    entity_types = ["email", "phone", "card", "iban", "us_ssn", "co_cedula", "co_nit"]
    forbidden_types = ["card_security_code", "track_data"]
    per_lang = Counter(r["lang"] for r in records)
    per_split = Counter(r.get("split") for r in records)
    print(
        f"# {len(records)} sentences ({per_lang['en']} English, {per_lang['es']} Spanish; "
        f"{per_split['tuning']} tuning, {per_split['holdout']} held-out) from {args.testset.name}"
    )
    print("$ .venv/bin/python bench/pii.py\n")
    print("## Detection (consenso.core.pii.detect)\n")
    print(table(results, entity_types))
    print("\n## Refused data (consenso.core.pii.find_forbidden)\n")
    print(table(results, forbidden_types))
    print("\n## By split: templates the detector was tuned on, and held-out templates (exact match)\n")
    print(split_table(records, entity_types + forbidden_types))
    seen, hit = negatives_hit(records)
    print("\n## Hard negatives touched by a prediction\n")
    print("| kind | count | flagged |\n| --- | ---: | ---: |")
    for kind in sorted(seen):
        print(f"| {kind} | {seen[kind]} | {hit[kind]} |")
    rate, chars = throughput(records, args.repeat)
    print(
        f"\n## Speed\n\ndetect(): {rate:,.0f} characters/s (median of {args.repeat} passes over {chars:,} characters)"
    )
    masking = masking_throughput(records, args.repeat)
    print(f"mask_data() with the default policy, one task per sentence: {masking:,.0f} characters/s")
    if args.errors:
        print()
        print_errors(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
