"""Cross-validation of the intent model on its own training messages (never on the evaluation set).

    python benchmarks/intent_cv.py              # 5-fold, stratified by (language, intent)
    python benchmarks/intent_cv.py --folds 10

Prints the accuracy over all held-out folds, per language and per intent, the confusion matrix of intents and the
training time of one full model. Used to choose the model's settings; the evaluation set is only a final score.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict

from tradewind.messaging.triage.intent import INTENTS, train, training_messages


def folds_of(messages: list[tuple[str, str, str]], k: int, seed: int) -> list[int]:
    """A fold per message, dealt round-robin within each (language, intent) group after a seeded shuffle."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (_, language, intent) in enumerate(messages):
        groups[(language, intent)].append(index)
    rng = random.Random(seed)
    fold = [0] * len(messages)
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for position, index in enumerate(members):
            fold[index] = (position + offset) % k
        offset += len(members)
    return fold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    messages = training_messages()
    fold = folds_of(messages, args.folds, args.seed)
    predicted = [""] * len(messages)
    for k in range(args.folds):
        train_rows = [m for m, f in zip(messages, fold, strict=True) if f != k]
        test_index = [i for i, f in enumerate(fold) if f == k]
        model = train([m[0] for m in train_rows], [m[2] for m in train_rows])
        for i, (intent, _) in zip(test_index, model.classify([messages[i][0] for i in test_index]), strict=True):
            predicted[i] = intent
    right = [p == m[2] for p, m in zip(predicted, messages, strict=True)]
    print(f"{args.folds}-fold CV over {len(messages):,} training messages: {sum(right) / len(right):.1%}")
    for title, key in (("language", 1), ("intent", 2)):
        total = Counter(m[key] for m in messages)
        good = Counter(m[key] for m, ok in zip(messages, right, strict=True) if ok)
        print(f"per {title}: " + ", ".join(f"{k} {good[k] / total[k]:.0%} ({total[k]})" for k in sorted(total)))
    confusion = Counter((m[2], p) for m, p in zip(messages, predicted, strict=True))
    short = [i[:8] for i in INTENTS]
    print("confusion (rows: true, columns: predicted)\n" + " " * 17 + " ".join(f"{s:>8}" for s in short))
    for intent in INTENTS:
        print(f"{intent:>16} " + " ".join(f"{confusion[(intent, p)]:>8}" for p in INTENTS))
    started = time.perf_counter()
    train([m[0] for m in messages], [m[2] for m in messages])
    print(f"training on all {len(messages):,} messages: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
