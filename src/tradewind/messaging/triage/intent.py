"""What a buyer's message is about (`INTENTS`), in any of the buyer languages, from short, informal, misspelt text.

The model is a multinomial logistic regression (softmax) over hashed character n-grams (2 to 5 characters inside
word boundaries, plus whole words, plus single characters for Chinese and Japanese), trained with full-batch Adam
(L2-regularised) on the training messages shipped in `data/intent_train*.tsv` (about 4,200: the 16 template
languages, and a few each in the 20 other detected languages). Character n-grams carry across typos ("cancelr",
"cancelar"), inflections ("отменить", "отмените") and scripts without spaces (zh, ja), which is why no tokenizer or
downloaded embedding is needed. The trained weights ship in `data/intent_model.npz`; when they do not match the
training files, training takes about two seconds and happens once per process, the first time a message is
classified. The settings were chosen by cross-validation on the training messages (`benchmarks/intent_cv.py`).

The evaluation messages (tests/messaging/data/) are never read here: see docs/messaging.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

INTENTS = (
    "order_status",
    "cancel_order",
    "refund_return",
    "payment",
    "product_question",
    "change_order",
    "covid_safety",
    "other",
)
DIMENSIONS = 1 << 18
EPOCHS = 60
LEARNING_RATE = 0.1
L2 = 1e-5

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower case, accents folded (typed or not), digits collapsed to one mark, punctuation to spaces."""
    folded = unicodedata.normalize("NFKD", text.lower())
    kept = []
    for ch in folded:
        if unicodedata.combining(ch) and not _keeps_mark(ch):
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = _DIGITS.sub("0", text)
    text = "".join(ch if ch.isalnum() or ch.isspace() or _is_emoji(ch) else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def _keeps_mark(ch: str) -> bool:
    # Korean and Japanese decompose into jamo / dakuten under NFKD; their marks are part of the letter.
    return unicodedata.name(ch, "").startswith(("HANGUL", "COMBINING KATAKANA", "KATAKANA-HIRAGANA"))


def _is_emoji(ch: str) -> bool:
    return ord(ch) >= 0x2600 and unicodedata.category(ch) == "So"


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


def features(text: str) -> list[int]:
    """Hashed feature indices of one text: words and character 2–5-grams of each word (with its boundaries)."""
    indices: list[int] = []
    for word in normalize(text).split():
        indices.append(zlib.crc32(("w:" + word).encode()) % DIMENSIONS)
        padded = f" {word} "
        if _is_cjk(word[0]):
            # Chinese and Japanese write without spaces: single characters carry the meaning (退, 款, 払).
            indices.extend(zlib.crc32(("c:" + ch).encode()) % DIMENSIONS for ch in word)
        for n in (2, 3, 4, 5):
            if len(padded) < n:
                break
            for start in range(len(padded) - n + 1):
                indices.append(zlib.crc32(padded[start : start + n].encode()) % DIMENSIONS)
    return indices


@dataclass(frozen=True)
class IntentModel:
    weights: NDArray[np.float64]  # DIMENSIONS × intents
    bias: NDArray[np.float64]

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        scores = np.empty((len(texts), len(INTENTS)))
        for row, text in enumerate(texts):
            found = features(text)
            scores[row] = self.bias + (self.weights[found].sum(axis=0) / np.sqrt(len(found)) if found else 0.0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        probabilities = self.probabilities(texts)
        best = probabilities.argmax(axis=1)
        return [(INTENTS[int(b)], round(float(probabilities[i, b]), 3)) for i, b in enumerate(best)]


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    l2: float = L2,
) -> IntentModel:
    """Softmax regression on hashed n-grams, full-batch gradient descent with Adam, on the features that occur
    (a compact copy of the weight matrix), scattered back into the hashed space at the end.

    One epoch is two `np.bincount` per intent over the (message, feature) pairs: scores by message, gradient by
    feature."""
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, text in enumerate(texts):
        found = features(text)
        scale = 1.0 / np.sqrt(len(found)) if found else 0.0
        rows += [row] * len(found)
        cols += found
        values += [scale] * len(found)
    used, column = np.unique(np.array(cols, dtype=np.int64), return_inverse=True)
    row_index, value = np.array(rows, dtype=np.int64), np.array(values)
    classes, count = len(INTENTS), len(texts)
    target = np.zeros((classes, count))
    target[[INTENTS.index(label) for label in labels], np.arange(count)] = 1.0
    weights = np.zeros((classes, len(used)))  # transposed: one contiguous row per intent
    bias = np.zeros(classes)
    moment_w, square_w = np.zeros_like(weights), np.zeros_like(weights)
    moment_b, square_b = np.zeros_like(bias), np.zeros_like(bias)
    for epoch in range(1, epochs + 1 if len(used) else 1):
        scores: NDArray[np.float64] = np.stack(
            [np.bincount(row_index, weights=weights[k][column] * value, minlength=count) for k in range(classes)]
        )
        scores += bias[:, None]
        scores -= scores.max(axis=0, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=0, keepdims=True)
        error = (probabilities - target) / count
        gradient: NDArray[np.float64] = np.stack(
            [np.bincount(column, weights=error[k][row_index] * value, minlength=len(used)) for k in range(classes)]
        )
        gradient += l2 * weights
        # Adam: a step per weight scaled by its own gradient history, so rare n-grams learn as fast as common ones.
        correction = learning_rate * np.sqrt(1 - 0.999**epoch) / (1 - 0.9**epoch)
        moment_w = 0.9 * moment_w + 0.1 * gradient
        square_w = 0.999 * square_w + 0.001 * gradient**2
        weights -= correction * moment_w / (np.sqrt(square_w) + 1e-8)
        moment_b = 0.9 * moment_b + 0.1 * error.sum(axis=1)
        square_b = 0.999 * square_b + 0.001 * error.sum(axis=1) ** 2
        bias -= correction * moment_b / (np.sqrt(square_b) + 1e-8)
    full = np.zeros((DIMENSIONS, classes))
    full[used] = weights.T
    return IntentModel(weights=full, bias=bias)


def training_files() -> list[Traversable]:
    """The training files shipped in `data/`: `intent_train.tsv` and the per-language `intent_train_<lang>.tsv`."""
    folder = resources.files("tradewind.messaging") / "data"
    found = [f for f in folder.iterdir() if f.name.startswith("intent_train") and f.name.endswith(".tsv")]
    return sorted(found, key=lambda f: f.name)


def training_messages() -> list[tuple[str, str, str]]:
    """(text, language, intent) of the shipped training set."""
    found = []
    for path in training_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[2] not in INTENTS:
                raise ValueError(f"{path.name} line {number}: expected text<TAB>language<TAB>intent, got {line!r}")
            found.append((parts[0], parts[1], parts[2]))
    return found


MODEL_FILE = "intent_model.npz"


def training_digest() -> str:
    """Fingerprint of the training set and of the model's settings: shipped weights are used only when it matches."""
    settings = f"{DIMENSIONS}|{EPOCHS}|{LEARNING_RATE}|{L2}|{','.join(INTENTS)}|v2"
    digest = hashlib.sha256(settings.encode())
    for path in training_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def save_model(model: IntentModel, path: Path) -> None:
    """The trained weights in a compact form (the rows of the features seen in training), with the digest."""
    used = np.flatnonzero(np.any(model.weights != 0, axis=1)).astype(np.int32)
    np.savez_compressed(
        path,
        used=used,
        weights=model.weights[used].astype(np.float32),
        bias=model.bias,
        digest=np.array(training_digest()),
    )


def _shipped_model() -> IntentModel | None:
    path = resources.files("tradewind.messaging") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    with path.open("rb") as handle, np.load(handle) as stored:
        if str(stored["digest"]) != training_digest():
            return None  # trained on another version of the training set: train afresh
        weights = np.zeros((DIMENSIONS, len(INTENTS)))
        weights[stored["used"]] = stored["weights"]
        return IntentModel(weights=weights, bias=np.asarray(stored["bias"], dtype=np.float64))


@lru_cache(maxsize=1)
def intent_model() -> IntentModel:
    """The shipped weights when they match the training set, else a model trained now (about two seconds)."""
    shipped = _shipped_model()
    if shipped is not None:
        return shipped
    messages = training_messages()
    return train([m[0] for m in messages], [m[2] for m in messages])


def classify_intents(texts: Sequence[str]) -> list[tuple[str, float]]:
    return intent_model().classify(texts)


if __name__ == "__main__":  # python -m tradewind.messaging.triage.intent: train and write the shipped weights
    target = Path(__file__).parents[1] / "data" / MODEL_FILE  # messaging/data, beside the training files
    found = training_messages()
    save_model(train([m[0] for m in found], [m[2] for m in found]), target)
    print(f"wrote {target} ({target.stat().st_size:,} bytes) from {len(found)} training messages")  # noqa: T201
