"""Quality core vs the reference libraries, in one run: speed and memory on 10⁶ labels, accuracy on real sets.

    bench/quality.sh speed     # 1,000,000 simulated labels: time and peak memory, ours vs crowd-kit / krippendorff
    bench/quality.sh crowd     # accuracy on ../shared/data/crowd, every method, ours and crowd-kit side by side

``bench/quality.sh`` makes a bench environment (``.venv-bench``: Consenso plus crowd-kit 1.4.2 and
krippendorff, which the project itself does not depend on) and runs this file in it.

Each speed measurement runs in a fresh subprocess (``python bench/quality.py one NAME``) so that its peak
resident memory (``ru_maxrss``) is its own; every subprocess first builds the same labels from the same
seed. Our Dawid-Skene runs its E and M steps on blocks of 100,000 items in threads (2 here); the
"one thread" rows give it ``n_jobs=1``. crowd-kit runs in one thread. Times are the median of ``--repeat`` runs of the fit alone (the input already in memory, as each
library takes it: a DataFrame for both aggregators, the units × values count table for both alphas).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from consenso.core.simulate import SimulatedLabels, simulate_labels

ROOT = Path(__file__).resolve().parents[1]
CROWD = ROOT.parent / "shared" / "data" / "crowd"
SETS = ["bluebirds", "snow_rte", "snow_temp", "sp", "s5_adult", "cf"]

# 200,000 items × 5 labels, 2,000 annotators, 5 classes, as the issue fixes it
SIZE = {"n_items": 200_000, "labels_per_item": 5, "n_annotators": 2_000, "n_classes": 5}
ACCURACY_RANGE = (0.55, 0.95)


def rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def simulated() -> SimulatedLabels:
    return simulate_labels(**SIZE, accuracy=ACCURACY_RANGE, seed=0)


# --- one measurement (runs in its own process) ---------------------------------------------------


def _prepare(name: str, sim: SimulatedLabels) -> tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]:
    """The fit to time, and how to read accuracy (and iterations) from its result."""
    ours_frame = sim.frame()
    ck_frame = ours_frame.rename(columns={"item": "task", "annotator": "worker"})
    truth = pd.Series(sim.truth)
    counts = np.bincount(sim.item * sim.n_classes + sim.label, minlength=sim.n_items * sim.n_classes).reshape(
        sim.n_items, sim.n_classes
    )

    def labels_accuracy(labels: pd.Series) -> float:
        return float((labels.reindex(truth.index).to_numpy() == truth.to_numpy()).mean())

    if name.startswith("ours_ds") or name.startswith("ck_ds"):
        fixed = "_10" in name
        if name.startswith("ours"):
            from consenso.core.aggregation import DawidSkene

            threads = 1 if name.endswith("_1thread") else None
            model = DawidSkene(n_iter=10, tol=0.0, n_jobs=threads) if fixed else DawidSkene(n_jobs=threads)

            def read(m: Any) -> dict[str, Any]:
                return {"accuracy": labels_accuracy(m.predicted_labels()), "iterations": m.n_iter_}

            return (lambda: model.fit(ours_frame)), read
        from crowdkit.aggregation import DawidSkene as CrowdKitDS

        ck_model = CrowdKitDS(n_iter=10, tol=0.0) if fixed else CrowdKitDS()

        def read_ck(m: Any) -> dict[str, Any]:
            return {"accuracy": labels_accuracy(m.labels_), "iterations": len(m.loss_history_)}

        return (lambda: ck_model.fit(ck_frame)), read_ck
    if name == "ours_mv":
        from consenso.core.aggregation import MajorityVote

        mv = MajorityVote()
        return (lambda: mv.fit(ours_frame)), lambda m: {"accuracy": labels_accuracy(m.predicted_labels())}
    if name == "ck_mv":
        from crowdkit.aggregation import MajorityVote as CrowdKitMV

        ck_mv = CrowdKitMV()
        return (lambda: ck_mv.fit(ck_frame)), lambda m: {"accuracy": labels_accuracy(m.labels_)}
    if name == "ours_alpha":
        from consenso.core.agreement import krippendorff_alpha_counts

        return (lambda: krippendorff_alpha_counts(counts)), lambda a: {"alpha": a}
    if name == "kd_alpha":
        import krippendorff

        return (
            lambda: krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"),
            lambda a: {"alpha": float(a)},
        )
    raise SystemExit(f"unknown measurement {name!r}")


def one(name: str, repeat: int) -> None:
    sim = simulated()
    fit, read = _prepare(name, sim)
    before = current_rss_mib()
    times = []
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fit()
        times.append(time.perf_counter() - start)
    report = {
        "name": name,
        "seconds": statistics.median(times),
        "all_seconds": times,
        "rss_before_mib": before,
        "peak_rss_mib": rss_mib(),
        **read(result),
    }
    print(json.dumps(report))


# --- the speed table -------------------------------------------------------------------------------

PAIRS = [
    ("Dawid-Skene, 10 EM steps (tol 0)", "ours_ds_10", "ck_ds_10"),
    ("Dawid-Skene, 10 EM steps (tol 0), one thread", "ours_ds_10_1thread", "ck_ds_10"),
    ("Dawid-Skene, defaults (tol 1e-5, ≤ 100 steps)", "ours_ds", "ck_ds"),
    ("Dawid-Skene, defaults, one thread", "ours_ds_1thread", "ck_ds"),
    ("Majority vote", "ours_mv", "ck_mv"),
    ("Krippendorff's alpha (nominal, value counts)", "ours_alpha", "kd_alpha"),
]


_MEASURED: dict[str, dict[str, Any]] = {}


def measure(name: str, repeat: int) -> dict[str, Any]:
    """One measurement in a fresh process; a reference measured for an earlier row is reused."""
    if name in _MEASURED:
        return _MEASURED[name]
    out = subprocess.run(
        [sys.executable, __file__, "one", name, "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    _MEASURED[name] = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    return _MEASURED[name]


def speed(repeat: int) -> None:
    print(
        f"# {SIZE['n_items'] * SIZE['labels_per_item']:,} labels: {SIZE['n_items']:,} items × "
        f"{SIZE['labels_per_item']}, {SIZE['n_annotators']:,} annotators, {SIZE['n_classes']} classes, "
        f"annotator accuracy U{ACCURACY_RANGE}, seed 0; median of {repeat} fits; each in its own process\n"
    )
    print(
        "| measure | Consenso s | reference s | speed-up | Consenso peak MiB | reference peak MiB | accuracy / value (ours · ref) | steps (ours · ref) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for title, ours_name, ref_name in PAIRS:
        ours, ref = measure(ours_name, repeat), measure(ref_name, repeat)
        value_key = "accuracy" if "accuracy" in ours else "alpha"
        steps = f"{ours.get('iterations', '–')} · {ref.get('iterations', '–')}"
        print(
            f"| {title} | {ours['seconds']:.3f} | {ref['seconds']:.3f} | {ref['seconds'] / ours['seconds']:.1f}× "
            f"| {ours['peak_rss_mib']:.0f} | {ref['peak_rss_mib']:.0f} "
            f"| {ours[value_key]:.4f} · {ref[value_key]:.4f} | {steps} |",
            flush=True,
        )


# --- the accuracy table on the real sets -----------------------------------------------------------


def crowd() -> None:
    import crowdkit.aggregation as ck

    from consenso.core.aggregation import MACE, DawidSkene, MajorityVote, WeightedMajorityVote

    methods: list[tuple[str, Callable[[], Any], Callable[[], Any] | None]] = [
        ("Majority vote", MajorityVote, ck.MajorityVote),
        ("Weighted MV (agreement = Wawa)", WeightedMajorityVote, ck.Wawa),
        ("Weighted MV (log-odds)", lambda: WeightedMajorityVote(weighting="log_odds"), None),
        ("Dawid-Skene", DawidSkene, ck.DawidSkene),
        ("Dawid-Skene, max. likelihood", lambda: DawidSkene(prior_strength=0.0), None),
        ("MACE", MACE, ck.MACE),
        ("One-coin DS", None, ck.OneCoinDawidSkene),  # type: ignore[list-item]
        ("GLAD", None, ck.GLAD),  # type: ignore[list-item]
    ]
    data = {}
    for name in SETS:
        answers = pd.read_csv(CROWD / name / "answers.csv", dtype=str)
        truth = pd.read_csv(CROWD / name / "truth.csv", dtype=str).set_index("item")["truth"]
        data[name] = (answers, truth)

    def accuracy(labels: pd.Series, truth: pd.Series) -> float:
        scored = truth[truth.index.isin(labels.index)]
        return float((labels.reindex(scored.index).astype(str) == scored).mean())

    header = " | ".join(SETS)
    print(f"| method | library | {header} |")
    print("|---|---|" + "---:|" * len(SETS))
    for title, ours_factory, ck_factory in methods:
        for library, factory in (("Consenso", ours_factory), ("crowd-kit 1.4.2", ck_factory)):
            if factory is None:
                continue
            cells = []
            for name in SETS:
                answers, truth = data[name]
                frame = (
                    answers.rename(columns={"worker": "annotator"})
                    if library == "Consenso"
                    else answers.rename(columns={"item": "task"})
                )
                start = time.perf_counter()
                labels = factory().fit_predict(frame)
                seconds = time.perf_counter() - start
                cells.append(f"{accuracy(labels, truth):.4f} ({seconds:.2f} s)")
            print(f"| {title} | {library} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one_parser = sub.add_parser("one", help="one measurement, printed as JSON (used by 'speed')")
    one_parser.add_argument("name")
    one_parser.add_argument("--repeat", type=int, default=3)
    speed_parser = sub.add_parser("speed", help="time and memory on 10⁶ simulated labels")
    speed_parser.add_argument("--repeat", type=int, default=3)
    sub.add_parser("crowd", help="accuracy on the real crowd sets, every method")
    args = parser.parse_args()
    if args.command == "one":
        one(args.name, args.repeat)
    elif args.command == "speed":
        speed(args.repeat)
    else:
        crowd()


if __name__ == "__main__":
    main()
