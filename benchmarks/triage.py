"""Triage throughput: language, intent and order for 10,000 buyer messages (and their suggested replies), offline.

    python benchmarks/triage.py            # 10,000 messages
    python benchmarks/triage.py --small    # 1,000 messages, for CI

The messages are the evaluation set's, repeated with fresh order numbers; the figures printed are the one-off
start-up (loading Lingua's models for one text of each script, so that every model the run needs is loaded, and the
intent weights), the steady-state rate and the process's peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

from tradewind.config import Settings
from tradewind.messaging.triage.inbound import triage_messages
from tradewind.messaging.triage.intent import intent_model
from tradewind.messaging.triage.language import DETECTED_LANGUAGES, detect_languages

EVAL = Path(__file__).resolve().parents[1] / "tests" / "messaging" / "data" / "triage_eval.tsv"
TARGET_SECONDS = 10.0
# One text per script among the detected languages: Lingua loads a script's models the first time it meets one.
WARM_UP = ["order", "заказ", "παραγγελία", "ההזמנה", "الطلب", "注文です", "주문", "订单", "คำสั่งซื้อ"]


def messages(n: int) -> list[str]:
    texts = [line.split("\t")[0] for line in EVAL.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    rng = random.Random(7)
    found = []
    for i in range(n):
        text = texts[i % len(texts)]
        found.append(text if rng.random() < 0.7 else f"{text} {8012000000000000 + rng.randrange(10**9)}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 messages instead of 10,000")
    parser.add_argument("--no-replies", action="store_true", help="language, intent and order only")
    args = parser.parse_args()
    n = 1_000 if args.small else 10_000
    texts = messages(n)
    started = time.perf_counter()
    intent_model()
    detect_languages(WARM_UP)
    startup = time.perf_counter() - started
    started = time.perf_counter()
    results = triage_messages(texts, settings=Settings(), now=datetime.now(UTC), with_replies=not args.no_replies)
    elapsed = time.perf_counter() - started
    assert len(results) == n
    total = startup + elapsed
    scaled = total if n == 10_000 else startup + elapsed * 10
    print(
        f"triage of {n:,} messages{' with replies' if not args.no_replies else ''}: {elapsed:.2f} s "
        f"({n / elapsed:,.0f} messages/s) after {startup:.2f} s start-up (Lingua models, intent weights)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"peak memory of the process: {peak:,.0f} MB (Lingua's models for {len(DETECTED_LANGUAGES)} languages)")
    print(
        f"10,000 messages including start-up: {scaled:.2f} s {'≤' if scaled <= TARGET_SECONDS else '>'} "
        f"{TARGET_SECONDS:.0f} s target{' (extrapolated)' if n != 10_000 else ''}"
    )


if __name__ == "__main__":
    main()
