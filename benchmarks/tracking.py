"""Speed of the logistics hot paths, against a plain baseline in the same run.

1. Tracking normalisation: N raw event texts as carriers write them (a few dozen templates in a dozen languages,
   with places and postcodes). Tradewind's normaliser caches by text and by template; the baseline is the same
   rules with no cache (`read_uncached`), timed on a sample and reported per second. Target: ≥ 200,000 events/s.
   End to end: the same N texts written to a file, one per line, and `tradewind track normalize --file F --json`
   run on it as a process of its own (interpreter start, imports and the JSON lines written to a file included),
   against the floor: a stdlib-only Python process that reads the file line by line and writes one json.dumps per
   line of the same shape (the text and constant fields) to a file, in the same run. Wall time, CPU (user + system)
   and peak RSS of each (wait4); the best of --repeats runs each, taken in turns. Target: ≤ 1.5× the floor.
   Measured on 1,000,000 events (243,099 distinct texts), 7 December 2026, on the 2-core machine shared with other
   work (load 7–10; the wall times run ~3× the CPU times): before (a dataclass and a json.dumps per event, the whole
   file read first) 35.39 s, CPU 11.74 s, 357 MB against the floor's 15.41 s, CPU 5.12 s, 10 MB: 2.30× (CPU 2.29×);
   after (streamed, each distinct line's JSON made once) 15.12 s, CPU 4.69 s, 224 MB against 15.04 s, CPU 5.10 s,
   10 MB: 1.01× (CPU 0.92×); two other runs 0.92× (CPU 0.94×) and 1.27× (CPU 0.99×). About 1.2 s of the CPU is the
   start-up (cli/logistics.py imports NumPy, Rich, SQLAlchemy and every logistics module before the command runs).
2. Lane statistics: M shipments (with a slowdown, so that many are still in transit) → p50/p90 per lane with
   borrowing, by the vectorised weighted Kaplan–Meier. Baseline: a per-lane loop of lifelines'
   `KaplanMeierFitter` (or, without lifelines, a per-lane NumPy loop). Target: 1,000,000 shipments in < 5 s.

    python benchmarks/tracking.py            # 1,000,000 events and 1,000,000 shipments
    python benchmarks/tracking.py --small    # CI smoke size
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

# The synthetic shipments and event texts are test helpers (tests/logistics/synthetic.py), not part of the installed
# package: run as `python benchmarks/tracking.py`, the checkout's root has to be on the path to import them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._processes import Run, run_measured, tradewind_command

from tests.logistics.synthetic import SlowdownScenario, generate_event_texts, generate_shipments
from tradewind.logistics.tracking.normalize import TrackingNormalizer, read_uncached
from tradewind.logistics.transit.lanes import DAY_SECONDS, TransitObservations, TransitSettings, end_of, estimate_lanes
from tradewind.logistics.transit.survival import FloatArray, IntArray, recency_weights, whole_days

TARGET_EVENTS_PER_SECOND = 200_000
TARGET_END_TO_END_RATIO = 1.5
TARGET_LANE_SECONDS = 5.0
# The floor of `tradewind track normalize --json`: read the lines, write one JSON object per line, nothing else.
FLOOR = """
import json, sys
write = sys.stdout.write
with open(sys.argv[1], encoding="utf-8") as source:
    for line in source:
        text = line.rstrip("\\r\\n")
        if text.strip():
            event = {"text": text, "status": "InTransit", "substatus": None, "confidence": 0.7}
            write(json.dumps(event, ensure_ascii=False) + "\\n")
"""


def bench_normalisation(texts: list[str], baseline_sample: int) -> dict[str, float]:
    count = len(texts)
    normalizer = TrackingNormalizer()
    began = time.perf_counter()
    readings = normalizer.read_all(texts)
    cached_seconds = time.perf_counter() - began
    sample = texts[:baseline_sample]
    began = time.perf_counter()
    for text in sample:
        read_uncached(text)
    plain_seconds = time.perf_counter() - began
    unknown = sum(1 for r in readings if not r.known)
    return {
        "events": count,
        "distinct_texts": normalizer.cached_texts,
        "seconds": round(cached_seconds, 3),
        "events_per_second": round(count / cached_seconds),
        "baseline_events": len(sample),
        "baseline_events_per_second": round(len(sample) / plain_seconds),
        "speedup": round((count / cached_seconds) / (len(sample) / plain_seconds), 1),
        "unknown_share": round(unknown / count, 4),
    }


def bench_end_to_end(texts: list[str], repeats: int) -> dict[str, float | int]:
    """`tradewind track normalize --file F --json > out` against the stdlib floor, each run `repeats` times in turns
    (the best of each kept: on a shared machine the other work only ever adds)."""
    with tempfile.TemporaryDirectory(prefix="tradewind-bench-tracking-") as folder:
        events = Path(folder) / "events.txt"
        events.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
        written = {"floor": Path(folder) / "floor.jsonl", "tradewind": Path(folder) / "tradewind.jsonl"}
        commands = {
            "floor": [sys.executable, "-c", FLOOR, str(events)],
            "tradewind": [*tradewind_command(), "track", "normalize", "--file", str(events), "--json"],
        }
        runs: dict[str, list[Run]] = {"floor": [], "tradewind": []}
        for _ in range(repeats):
            for name, command in commands.items():
                runs[name].append(run_measured(command, output=written[name]))
        lines = {name: _same_texts(path) for name, path in written.items()}
    expected = sum(1 for text in texts if text.strip())
    if not lines["floor"] == lines["tradewind"] == expected:
        raise RuntimeError(f"the outputs have {lines} lines, not {expected:,} each")
    floor = min(runs["floor"], key=lambda run: run.seconds)
    ours = min(runs["tradewind"], key=lambda run: run.seconds)
    return {
        "events": len(texts),
        "repeats": repeats,
        "seconds": round(ours.seconds, 2),
        "cpu_seconds": round(ours.cpu_seconds, 2),
        "peak_mb": round(ours.peak_mb, 1),
        "floor_seconds": round(floor.seconds, 2),
        "floor_cpu_seconds": round(floor.cpu_seconds, 2),
        "floor_peak_mb": round(floor.peak_mb, 1),
        "ratio": round(ours.seconds / floor.seconds, 2),
        "cpu_ratio": round(ours.cpu_seconds / floor.cpu_seconds, 2),
    }


def _same_texts(path: Path) -> int:
    """The lines of an output file, each a JSON object with a text (read back, so that a run that wrote nothing or
    something else is caught)."""
    with path.open(encoding="utf-8") as written:
        return sum(1 for line in written if isinstance(json.loads(line)["text"], str))


def bench_lanes(target_shipments: int, baseline: bool) -> dict[str, float | str]:
    scale = max(target_shipments / 10_400, 0.05)  # the default scenario hands over ~10,400 parcels at scale 1
    scenario = SlowdownScenario(scale=scale)
    data = generate_shipments(scenario)
    obs = data.observations
    as_of = end_of(scenario.day(scenario.slowdown_starts + 20))  # mid-slowdown: many parcels still travelling
    settings = TransitSettings()
    began = time.perf_counter()
    rebuilt = TransitObservations.from_columns(
        [obs.origins[i] for i in obs.origin_code.tolist()],
        [obs.destinations[i] for i in obs.destination_code.tolist()],
        [obs.methods[i] for i in obs.method_code.tolist()],
        obs.shipped,
        obs.delivered,
    )
    factorize_seconds = time.perf_counter() - began
    began = time.perf_counter()
    estimates = estimate_lanes(rebuilt, as_of=as_of, settings=settings)
    lane_seconds = time.perf_counter() - began
    result: dict[str, float | str] = {
        "shipments": obs.size,
        "lanes": len(estimates),
        "in_transit_at_as_of": int(sum(e.n_in_transit for e in estimates)),
        "seconds": round(lane_seconds, 3),
        "factorize_seconds": round(factorize_seconds, 3),
        "shipments_per_second": round(obs.size / lane_seconds),
    }
    if baseline:
        name, seconds = _per_lane_loop(obs, as_of.timestamp(), settings)
        result |= {"baseline": name, "baseline_seconds": round(seconds, 3), "speedup": round(seconds / lane_seconds, 1)}
    return result


def _per_lane_loop(obs: TransitObservations, moment: float, settings: TransitSettings) -> tuple[str, float]:
    """One Kaplan–Meier fit per lane, as one would write it first (no borrowing: that is extra work we do)."""
    known = obs.shipped <= moment
    arrived = known & ~np.isnan(obs.delivered) & (obs.delivered <= moment)
    durations = (np.where(arrived, obs.delivered, moment) - obs.shipped) / DAY_SECONDS
    days = whole_days(durations, arrived)
    weights = recency_weights((moment - obs.shipped) / DAY_SECONDS, settings.half_life_days)
    lane = (obs.origin_code * len(obs.destinations) + obs.destination_code) * len(obs.methods) + obs.method_code
    try:
        from lifelines import KaplanMeierFitter
    except ImportError:
        began = time.perf_counter()
        for value in np.unique(lane[known]):
            mask = known & (lane == value)
            _numpy_km(days[mask], arrived[mask], weights[mask])
        return "per-lane NumPy loop (lifelines not installed)", time.perf_counter() - began
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for value in np.unique(lane[known]):
            mask = known & (lane == value)
            fitter = KaplanMeierFitter().fit(days[mask], arrived[mask], weights=weights[mask])
            fitter.percentile(0.5)
            fitter.percentile(0.1)
    return "per-lane lifelines KaplanMeierFitter loop", time.perf_counter() - began


def _numpy_km(days: IntArray, delivered: np.ndarray, weights: FloatArray) -> FloatArray:
    order = np.argsort(days)
    days, delivered, weights = days[order], delivered[order], weights[order]
    times = np.unique(days)
    survival = np.ones(times.size)
    level = 1.0
    for i, t in enumerate(times):
        at_risk = weights[days >= t].sum()
        died = weights[(days == t) & delivered].sum()
        level *= 1 - died / at_risk if at_risk > 0 else 1.0
        survival[i] = level
    return survival


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI smoke size (20,000 events and shipments)")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--shipments", type=int, default=None)
    parser.add_argument("--no-baseline", action="store_true", help="skip the per-lane baseline loop")
    parser.add_argument("--repeats", type=int, default=None, help="end-to-end runs of each (default 3, --small 1)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    events = args.events or (20_000 if args.small else 1_000_000)
    shipments = args.shipments or (20_000 if args.small else 1_000_000)
    texts = generate_event_texts(events)
    normalisation = bench_normalisation(texts, baseline_sample=min(events, 20_000))
    end_to_end = bench_end_to_end(texts, repeats=args.repeats or (1 if args.small else 3))
    del texts
    lanes = bench_lanes(shipments, baseline=not args.no_baseline)
    if args.json:
        day = datetime.now(UTC).date().isoformat()
        print(
            json.dumps({"normalisation": normalisation, "end_to_end": end_to_end, "lane_statistics": lanes, "day": day})
        )
        return
    n = normalisation
    print(
        f"Tracking normalisation: {n['events']:,} events ({n['distinct_texts']:,} distinct texts) in {n['seconds']} s "
        f"= {n['events_per_second']:,} events/s (target ≥ {TARGET_EVENTS_PER_SECOND:,}); plain uncached baseline "
        f"{n['baseline_events_per_second']:,} events/s on {n['baseline_events']:,} → {n['speedup']}× ; "
        f"unknown {n['unknown_share']:.2%}"
    )
    e = end_to_end
    print(
        f"tradewind track normalize --file F --json > out, {e['events']:,} events end to end: {e['seconds']} s, "
        f"CPU {e['cpu_seconds']} s, peak RSS {e['peak_mb']:,.0f} MB; stdlib floor (read lines, json.dumps each): "
        f"{e['floor_seconds']} s, CPU {e['floor_cpu_seconds']} s, peak RSS {e['floor_peak_mb']:,.0f} MB → "
        f"{e['ratio']}× the stdlib floor (CPU {e['cpu_ratio']}×; target ≤ {TARGET_END_TO_END_RATIO}×"
        f"{': met' if e['ratio'] <= TARGET_END_TO_END_RATIO else ''}); best of {e['repeats']} each"
    )
    lane = lanes
    line = (
        f"Lane statistics: {lane['shipments']:,} shipments ({lane['in_transit_at_as_of']:,} in transit) → "
        f"{lane['lanes']} lanes in {lane['seconds']} s (target < {TARGET_LANE_SECONDS} s; factorising lanes from "
        f"strings {lane['factorize_seconds']} s)"
    )
    if "baseline" in lane:
        line += f"; {lane['baseline']}: {lane['baseline_seconds']} s → {lane['speedup']}×"
    print(line)


if __name__ == "__main__":
    main()
