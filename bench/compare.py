"""Compare two annotation_bench.py results (Label Studio, Consenso) and print Markdown tables with ratios.

python bench/compare.py result-ls.json result-consenso.json --backend sqlite
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _ratio(ours: float | None, theirs: float | None, higher_is_better: bool = True) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{(ours / theirs) if higher_is_better else (theirs / ours):,.1f}x"


def _fs(phase: dict[str, Any]) -> str:
    before, after = phase.get("fsync_before") or {}, phase.get("fsync_after") or {}
    return f"{before.get('p50_ms', '?')}/{after.get('p50_ms', '?')}"


def import_table(ls: dict[str, Any], co: dict[str, Any]) -> list[str]:
    rows = [
        "| N tasks | LS import s | Consenso import s | import ratio | LS export s | Consenso export s | export ratio "
        "| LS / Consenso next probe ms (median) | fsync p50 ms LS · Consenso |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_n = {p["n"]: p for p in ls.get("import", [])}
    for c in co.get("import", []):
        p = by_n.get(c["n"], {})
        ls_next = sorted(p.get("probe_next_ms") or [0])[len(p.get("probe_next_ms") or [0]) // 2]
        co_next = sorted(c.get("probe_next_ms") or [0])[len(c.get("probe_next_ms") or [0]) // 2]
        rows.append(
            f"| {c['n']:,} | {p.get('import_s', 'err')} | {c.get('import_s', 'err')} | "
            f"{_ratio(c.get('import_s'), p.get('import_s'), higher_is_better=False)} | {p.get('export_s', 'err')} | "
            f"{c.get('export_s', 'err')} | {_ratio(c.get('export_s'), p.get('export_s'), higher_is_better=False)} | "
            f"{ls_next} / {co_next} | {_fs(p)} · {_fs(c)} |"
        )
    return rows


def loop_table(ls: dict[str, Any], co: dict[str, Any]) -> list[str]:
    rows = [
        "| K | LS ann/s | Consenso ann/s | throughput ratio | LS next p50/p99 ms | Consenso next p50/p99 ms "
        "| Consenso submit p50/p99 ms | Consenso errors | Consenso lost / over overlap / dup | fsync p50 ms LS · Consenso |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_k = {p["concurrency"]: p for p in ls.get("loop", [])}
    for c in co.get("loop", []):
        p = by_k.get(c["concurrency"], {})
        sc = c.get("server_check", {})
        rows.append(
            f"| {c['concurrency']} | {p.get('throughput_ann_per_s', 'n/a')} | {c['throughput_ann_per_s']} | "
            f"{_ratio(c['throughput_ann_per_s'], p.get('throughput_ann_per_s'))} | "
            f"{(p.get('next_ms') or {}).get('p50')}/{(p.get('next_ms') or {}).get('p99')} | "
            f"{c['next_ms']['p50']}/{c['next_ms']['p99']} | {c['submit_ms']['p50']}/{c['submit_ms']['p99']} | "
            f"{sum(c.get('errors', {}).values())} | {sc.get('lost_acknowledged')} / {sc.get('tasks_over_overlap')} / "
            f"{sc.get('dup_user_task_pairs')} | {_fs(p)} · {_fs(c)} |"
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("ls")
    ap.add_argument("consenso")
    ap.add_argument("--backend", default="sqlite")
    a = ap.parse_args()
    ls_path, co_path = Path(a.ls), Path(a.consenso)
    ls = json.loads(ls_path.read_text()) if ls_path.exists() else {}
    co = json.loads(co_path.read_text())
    print(f"### {a.backend}: import / export (workload {co.get('workload')}, started {co.get('started')})\n")
    print("\n".join(import_table(ls, co)))
    print(f"\n### {a.backend}: annotator loop (next + submit)\n")
    print("\n".join(loop_table(ls, co)))
    print(
        f"\nLabel Studio {ls.get('server_version')} · Consenso {co.get('server_version')} · "
        f"args: {json.dumps(co.get('args', {}), sort_keys=True)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
