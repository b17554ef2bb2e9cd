"""`confusion-matrix`: read a labelled confusion matrix and compute a metric from it.

Binary problems ask one of eleven metrics; multiclass problems ask a per-class or averaged
precision / recall / F1. The layout varies (actual classes on rows or on columns, the positive class
first or second) because reading the layout is half the skill. Expected values come from
``sklearn.metrics`` applied to ``y_true`` / ``y_pred`` arrays that realise the matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

BinaryMetric = Literal[
    "accuracy",
    "precision",
    "recall",
    "specificity",
    "npv",
    "fpr",
    "fnr",
    "f1",
    "fbeta",
    "mcc",
    "balanced_accuracy",
]
BINARY_METRICS: tuple[str, ...] = BinaryMetric.__args__  # type: ignore[attr-defined]
MULTICLASS_METRICS = ("precision", "recall", "f1")
AVERAGES = ("macro", "micro", "weighted")

METRIC_NAMES = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall (sensitivity, true positive rate)",
    "specificity": "specificity (true negative rate)",
    "npv": "negative predictive value (NPV)",
    "fpr": "false positive rate (FPR)",
    "fnr": "false negative rate (FNR)",
    "f1": "F1 score",
    "fbeta": "F-beta score",
    "mcc": "Matthews correlation coefficient (MCC)",
    "balanced_accuracy": "balanced accuracy",
}


@dataclass(frozen=True, slots=True)
class BinaryScenario:
    context: str
    items: str
    positive: str
    negative: str
    prevalence: tuple[float, float]
    size: tuple[int, int]


BINARY_SCENARIOS = (
    BinaryScenario(
        "A screening test for a rare disease is checked against biopsies",
        "patients",
        "Disease",
        "Healthy",
        (0.02, 0.12),
        (400, 3000),
    ),
    BinaryScenario(
        "A card-fraud model scores last week's transactions",
        "transactions",
        "Fraud",
        "Legit",
        (0.01, 0.04),
        (2000, 12000),
    ),
    BinaryScenario(
        "A spam filter is evaluated on a labelled sample of an inbox",
        "emails",
        "Spam",
        "Ham",
        (0.2, 0.5),
        (300, 2000),
    ),
    BinaryScenario(
        "A churn model flags subscribers likely to cancel next month",
        "subscribers",
        "Churn",
        "Stay",
        (0.06, 0.25),
        (500, 5000),
    ),
    BinaryScenario(
        "A vision model inspects parts on an assembly line",
        "parts",
        "Defect",
        "OK",
        (0.02, 0.08),
        (1000, 8000),
    ),
    BinaryScenario(
        "A credit model predicts which loans will default",
        "loans",
        "Default",
        "Repaid",
        (0.04, 0.15),
        (500, 4000),
    ),
)


@dataclass(frozen=True, slots=True)
class MulticlassScenario:
    context: str
    items: str
    labels: tuple[str, ...]


MULTICLASS_SCENARIOS = (
    MulticlassScenario("An image classifier sorts wildlife-camera photos", "photos", ("Deer", "Fox", "Boar")),
    MulticlassScenario(
        "A sentiment model labels product reviews", "reviews", ("Negative", "Neutral", "Positive")
    ),
    MulticlassScenario(
        "A triage model assigns urgency to support tickets", "tickets", ("Low", "Medium", "High")
    ),
    MulticlassScenario(
        "A document classifier routes scanned paperwork",
        "documents",
        ("Invoice", "Receipt", "Contract", "Letter"),
    ),
)


class ConfusionMatrixParams(Params):
    task: Literal["binary", "multiclass"] | None = None
    metric: BinaryMetric | None = None
    average: Literal["macro", "micro", "weighted", "per_class"] | None = None
    beta: float | None = None


def _binary_counts(rng: np.random.Generator, scenario: BinaryScenario) -> tuple[int, int, int, int]:
    """Counts with every cell >= 1, so no metric divides by zero."""
    n = int(rng.integers(*scenario.size))
    positives = max(8, round(n * rng.uniform(*scenario.prevalence)))
    negatives = n - positives
    sensitivity = rng.uniform(0.55, 0.95)
    specificity = rng.uniform(0.80, 0.99)
    tp = int(np.clip(rng.binomial(positives, sensitivity), 1, positives - 1))
    tn = int(np.clip(rng.binomial(negatives, specificity), 1, negatives - 1))
    return tp, negatives - tn, positives - tp, tn


def _multiclass_matrix(rng: np.random.Generator, k: int) -> np.ndarray:
    """Rows = actual, columns = predicted; imbalanced class sizes, a dominant diagonal, no empty column."""
    sizes = rng.integers(20, 400, size=k)
    matrix = np.zeros((k, k), dtype=int)
    for row in range(k):
        hit = rng.uniform(0.55, 0.92)
        confusion = rng.dirichlet(np.ones(k - 1))
        probabilities = np.insert(confusion * (1 - hit), row, hit)
        matrix[row] = rng.multinomial(int(sizes[row]), probabilities)
        matrix[row, row] = max(matrix[row, row], 1)
    return matrix


def _arrays(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y_true, y_pred that realise ``matrix`` (rows actual, columns predicted)."""
    k = matrix.shape[0]
    actual = np.repeat(np.repeat(np.arange(k), k), matrix.ravel())
    predicted = np.repeat(np.tile(np.arange(k), k), matrix.ravel())
    return actual, predicted


def binary_metric(metric: str, tp: int, fp: int, fn: int, tn: int, beta: float = 1.0) -> float:
    """The metric computed with numpy on ``y_true`` / ``y_pred`` arrays that realise the counts.

    Counting on the arrays (rather than plugging the four numbers into a formula) keeps the value tied to
    the instance's data; tests check it equals scikit-learn's value and the textbook formula over many
    seeds. numpy here is ~20x faster than ``sklearn.metrics``' input validation, which matters because
    the app prepares problems continuously.
    """
    y_true, y_pred = _arrays(np.array([[tn, fp], [fn, tp]]))
    t = int(np.count_nonzero((y_true == 1) & (y_pred == 1)))
    f_p = int(np.count_nonzero((y_true == 0) & (y_pred == 1)))
    f_n = int(np.count_nonzero((y_true == 1) & (y_pred == 0)))
    t_n = int(np.count_nonzero((y_true == 0) & (y_pred == 0)))
    precision, recall = t / (t + f_p), t / (t + f_n)
    specificity = t_n / (t_n + f_p)
    match metric:
        case "accuracy":
            return float(np.mean(y_true == y_pred))
        case "precision":
            return precision
        case "recall":
            return recall
        case "specificity":
            return specificity
        case "npv":
            return t_n / (t_n + f_n)
        case "fpr":
            return 1.0 - specificity
        case "fnr":
            return 1.0 - recall
        case "f1":
            return 2 * precision * recall / (precision + recall)
        case "fbeta":
            b2 = beta * beta
            return (1 + b2) * precision * recall / (b2 * precision + recall)
        case "mcc":
            denominator = math.sqrt((t + f_p) * (t + f_n) * (t_n + f_p) * (t_n + f_n))
            return (t * t_n - f_p * f_n) / denominator
        case "balanced_accuracy":
            return (recall + specificity) / 2
    raise ValueError(f"unknown metric {metric!r}")


def sklearn_binary_metric(metric: str, tp: int, fp: int, fn: int, tn: int, beta: float = 1.0) -> float:
    """The same metric by ``sklearn.metrics`` on the realising arrays (class 1 = positive)."""
    from sklearn import metrics

    y_true, y_pred = _arrays(np.array([[tn, fp], [fn, tp]]))
    match metric:
        case "accuracy":
            return float(metrics.accuracy_score(y_true, y_pred))
        case "precision":
            return float(metrics.precision_score(y_true, y_pred, pos_label=1))
        case "recall":
            return float(metrics.recall_score(y_true, y_pred, pos_label=1))
        case "specificity":
            return float(metrics.recall_score(y_true, y_pred, pos_label=0))
        case "npv":
            return float(metrics.precision_score(y_true, y_pred, pos_label=0))
        case "fpr":
            return 1.0 - float(metrics.recall_score(y_true, y_pred, pos_label=0))
        case "fnr":
            return 1.0 - float(metrics.recall_score(y_true, y_pred, pos_label=1))
        case "f1":
            return float(metrics.f1_score(y_true, y_pred, pos_label=1))
        case "fbeta":
            return float(metrics.fbeta_score(y_true, y_pred, beta=beta, pos_label=1))
        case "mcc":
            return float(metrics.matthews_corrcoef(y_true, y_pred))
        case "balanced_accuracy":
            return float(metrics.balanced_accuracy_score(y_true, y_pred))
    raise ValueError(f"unknown metric {metric!r}")


def multiclass_metric(metric: str, matrix: np.ndarray, average: str | None, index: int | None) -> float:
    """Per-class or averaged precision / recall / F1 with numpy on the realising arrays."""
    y_true, y_pred = _arrays(matrix)
    k = matrix.shape[0]
    counted = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    precision, recall, f1 = _per_class(counted)
    if average == "micro":
        return float(np.trace(counted) / counted.sum())
    per = {"precision": precision, "recall": recall, "f1": f1}[metric]
    if average is None:
        return float(per[index])
    if average == "macro":
        return float(per.mean())
    support = counted.sum(axis=1)
    return float((per * support).sum() / support.sum())


def sklearn_multiclass_metric(
    metric: str, matrix: np.ndarray, average: str | None, index: int | None
) -> float:
    from sklearn import metrics

    y_true, y_pred = _arrays(matrix)
    scorer = {"precision": metrics.precision_score, "recall": metrics.recall_score, "f1": metrics.f1_score}[
        metric
    ]
    labels = list(range(matrix.shape[0]))
    if average is None:
        return float(scorer(y_true, y_pred, labels=labels, average=None)[index])
    return float(scorer(y_true, y_pred, labels=labels, average=average))


def _binary_solution(metric: str, tp: int, fp: int, fn: int, tn: int, beta: float, value: float) -> str:
    n = tp + fp + fn + tn
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    lines = [f"Cells: TP = {tp}, FP = {fp}, FN = {fn}, TN = {tn} (N = {n})."]
    match metric:
        case "accuracy":
            lines.append(f"Accuracy = (TP + TN) / N = ({tp} + {tn}) / {n} = **{fmt(value)}**")
            lines.append(
                f"A model that always says negative would score {fmt((fp + tn) / n)} here: "
                "accuracy flatters imbalanced problems."
            )
        case "precision":
            lines.append(f"Precision = TP / (TP + FP) = {tp} / ({tp} + {fp}) = **{fmt(value)}**")
            lines.append("Precision asks: of everything flagged positive, how much really is?")
        case "recall":
            lines.append(f"Recall = TP / (TP + FN) = {tp} / ({tp} + {fn}) = **{fmt(value)}**")
            lines.append("Recall asks: of all real positives, how many did we catch?")
        case "specificity":
            lines.append(f"Specificity = TN / (TN + FP) = {tn} / ({tn} + {fp}) = **{fmt(value)}**")
        case "npv":
            lines.append(f"NPV = TN / (TN + FN) = {tn} / ({tn} + {fn}) = **{fmt(value)}**")
            lines.append("NPV is precision for the negative class: how far to trust a negative verdict.")
        case "fpr":
            lines.append(
                f"FPR = FP / (FP + TN) = {fp} / ({fp} + {tn}) = **{fmt(value)}** (= 1 − specificity)"
            )
        case "fnr":
            lines.append(f"FNR = FN / (FN + TP) = {fn} / ({fn} + {tp}) = **{fmt(value)}** (= 1 − recall)")
        case "f1":
            lines.append(
                f"Precision = {tp} / {tp + fp} = {fmt(precision)}; recall = {tp} / {tp + fn} = {fmt(recall)}"
            )
            lines.append(
                f"F1 = 2·TP / (2·TP + FP + FN) = {2 * tp} / ({2 * tp} + {fp} + {fn}) = **{fmt(value)}**"
            )
            lines.append("F1 is the harmonic mean: it stays low unless precision and recall are both decent.")
        case "fbeta":
            b2 = beta * beta
            lines.append(
                f"Precision P = {fmt(precision)}; recall R = {fmt(recall)}; β = {fmt(beta)}, β² = {fmt(b2)}"
            )
            lines.append(
                f"F-β = (1 + β²)·P·R / (β²·P + R) = {fmt(1 + b2)} × {fmt(precision)} × {fmt(recall)} / "
                f"({fmt(b2)} × {fmt(precision)} + {fmt(recall)}) = **{fmt(value)}**"
            )
            lines.append("β > 1 weighs recall more; β < 1 weighs precision more.")
        case "mcc":
            numerator = tp * tn - fp * fn
            lines.append("MCC = (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))")
            lines.append(
                f"= ({tp}·{tn} − {fp}·{fn}) / √({tp + fp}·{tp + fn}·{tn + fp}·{tn + fn})"
                f" = {numerator} / {fmt(math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)), 1)}"
                f" = **{fmt(value)}**"
            )
            lines.append("MCC uses all four cells, so it is a fair single number under heavy imbalance.")
        case "balanced_accuracy":
            specificity = tn / (tn + fp)
            lines.append(
                f"Recall = {tp} / {tp + fn} = {fmt(recall)}; specificity = {tn} / {tn + fp} = {fmt(specificity)}"
            )
            lines.append(f"Balanced accuracy = (recall + specificity) / 2 = **{fmt(value)}**")
    return "\n\n".join(lines)


class ConfusionMatrix(Generator):
    name = "confusion-matrix"
    title = "Metrics from a confusion matrix"
    description = (
        "Binary (accuracy, precision, recall, specificity, NPV, FPR, FNR, F1, F-beta, MCC, balanced accuracy) "
        "and multiclass (per-class or macro/micro/weighted precision, recall, F1) metrics from a labelled "
        "confusion matrix whose layout varies."
    )
    Params = ConfusionMatrixParams
    topics = ("metrics", "confusion-matrix")

    def make(self, rng: np.random.Generator, seed: int, params: ConfusionMatrixParams) -> Problem:
        task = params.task
        if task is None:
            multiclass_ok = params.metric in (None, *MULTICLASS_METRICS) and params.beta is None
            task = "multiclass" if multiclass_ok and (params.average or rng.random() < 0.3) else "binary"
        if task == "multiclass":
            return self._multiclass(rng, seed, params)
        return self._binary(rng, seed, params)

    def _binary(self, rng: np.random.Generator, seed: int, params: ConfusionMatrixParams) -> Problem:
        scenario = BINARY_SCENARIOS[int(rng.integers(len(BINARY_SCENARIOS)))]
        metric = params.metric or str(rng.choice(BINARY_METRICS))
        beta = params.beta if params.beta is not None else float(rng.choice([0.5, 2.0]))
        tp, fp, fn, tn = _binary_counts(rng, scenario)
        actual_on_rows = bool(rng.random() < 0.5)
        positive_first = bool(rng.random() < 0.5)
        value = binary_metric(metric, tp, fp, fn, tn, beta)

        cells = {
            (True, True): tp,
            (True, False): fn,
            (False, True): fp,
            (False, False): tn,
        }  # (actual, predicted)
        order = [True, False] if positive_first else [False, True]
        label = {True: scenario.positive, False: scenario.negative}
        outer, inner = ("Actual", "Predicted") if actual_on_rows else ("Predicted", "Actual")
        rows = []
        for first in order:
            row = [f"{outer} {label[first]}"]
            for second in order:
                actual, predicted = (first, second) if actual_on_rows else (second, first)
                row.append(str(cells[(actual, predicted)]))
            rows.append(tuple(row))
        table = Table(
            headers=("", *(f"{inner} {label[second]}" for second in order)),
            rows=tuple(rows),
            title=f"rows: {outer.lower()} class · columns: {inner.lower()} class",
        )
        asked = METRIC_NAMES[metric] + (f" with β = {fmt(beta)}" if metric == "fbeta" else "")
        n = tp + fp + fn + tn
        prompt = (
            f"{scenario.context}. On {n:,} {scenario.items} it produced the confusion matrix below "
            f"(**{scenario.positive}** is the positive class; read the row and column labels carefully).\n\n"
            f"What is the **{asked}**? Answer as a number to 3 decimals (a fraction or a percentage is fine too)."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked}?", answer=NumberAnswer(value, decimals=3)),),
            solution=_binary_solution(metric, tp, fp, fn, tn, beta, value),
            data={
                "metric": metric,
                **({"beta": beta} if metric == "fbeta" else {}),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                "layout": {
                    "actual_on": "rows" if actual_on_rows else "columns",
                    "positive_first": positive_first,
                },
                "positive": scenario.positive,
                "negative": scenario.negative,
            },
            table=table,
        )

    def _multiclass(self, rng: np.random.Generator, seed: int, params: ConfusionMatrixParams) -> Problem:
        scenario = MULTICLASS_SCENARIOS[int(rng.integers(len(MULTICLASS_SCENARIOS)))]
        metric = params.metric if params.metric in MULTICLASS_METRICS else str(rng.choice(MULTICLASS_METRICS))
        average = params.average or str(rng.choice([*AVERAGES, "per_class"]))
        labels = scenario.labels
        k = len(labels)
        matrix = _multiclass_matrix(rng, k)
        index = int(rng.integers(k)) if average == "per_class" else None
        value = multiclass_metric(metric, matrix, None if average == "per_class" else average, index)
        actual_on_rows = bool(rng.random() < 0.5)
        shown = matrix if actual_on_rows else matrix.T
        outer, inner = ("Actual", "Predicted") if actual_on_rows else ("Predicted", "Actual")
        table = Table(
            headers=("", *(f"{inner} {name}" for name in labels)),
            rows=tuple((f"{outer} {labels[i]}", *(str(v) for v in shown[i])) for i in range(k)),
            title=f"rows: {outer.lower()} class · columns: {inner.lower()} class",
        )
        metric_name = {"precision": "precision", "recall": "recall", "f1": "F1 score"}[metric]
        asked = (
            f"{metric_name} of class **{labels[index]}**"
            if index is not None
            else f"**{average}-averaged {metric_name}**"
        )
        prompt = (
            f"{scenario.context}. On {int(matrix.sum()):,} {scenario.items} it produced the confusion matrix "
            f"below.\n\nWhat is the {asked}? Answer as a number to 3 decimals."
        )
        data = {
            "metric": metric,
            "labels": list(labels),
            "matrix": matrix.tolist(),
            "layout": {"actual_on": "rows" if actual_on_rows else "columns"},
        }
        data.update({"class": labels[index]} if index is not None else {"average": average})
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked}?", answer=NumberAnswer(value, decimals=3)),),
            solution=_multiclass_solution(metric, matrix, labels, average, index, value, actual_on_rows),
            data=data,
            table=table,
        )


def _per_class(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(matrix).astype(float)
    precision = tp / matrix.sum(axis=0)
    recall = tp / matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1


def _multiclass_solution(
    metric: str,
    matrix: np.ndarray,
    labels: tuple[str, ...],
    average: str,
    index: int | None,
    value: float,
    actual_on_rows: bool = True,
) -> str:
    """The per-class table and the average, in the words of the layout shown (actual on rows or columns)."""
    precision, recall, f1 = _per_class(matrix)
    support = matrix.sum(axis=1)
    predicted_sum, actual_sum = ("column", "row") if actual_on_rows else ("row", "column")
    rows = [
        f"| class | TP | predicted as it ({predicted_sum} sum) | actually it ({actual_sum} sum) | precision "
        "| recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, name in enumerate(labels):
        rows.append(
            f"| {name} | {matrix[i, i]} | {matrix[:, i].sum()} | {support[i]} | {fmt(precision[i], 3)} "
            f"| {fmt(recall[i], 3)} | {fmt(f1[i], 3)} |"
        )
    where = "rows" if actual_on_rows else "columns"
    lines = [
        f"Work per class with actual classes on {where}: precision = TP / {predicted_sum} sum (everything "
        f"predicted as the class), recall = TP / {actual_sum} sum (everything that really is the class).",
        "\n".join(rows),
    ]
    per = {"precision": precision, "recall": recall, "f1": f1}[metric]
    metric_name = {"precision": "precision", "recall": "recall", "f1": "F1 score"}[metric]
    if index is not None:
        lines.append(f"The {metric_name} of {labels[index]} is **{fmt(value)}**.")
    elif average == "macro":
        lines.append(
            f"Macro average = plain mean over classes = ({' + '.join(fmt(v, 3) for v in per)}) / "
            f"{len(labels)} = **{fmt(value)}**. Every class counts the same, however rare."
        )
    elif average == "weighted":
        total = int(support.sum())
        terms = " + ".join(f"{support[i]}×{fmt(per[i], 3)}" for i in range(len(labels)))
        lines.append(f"Weighted average = Σ support × score / N = ({terms}) / {total} = **{fmt(value)}**.")
    else:
        correct = int(np.trace(matrix))
        lines.append(
            f"Micro average pools every decision: total TP / total = {correct} / {int(matrix.sum())} = "
            f"**{fmt(value)}**. For single-label multiclass, micro precision = micro recall = micro F1 "
            "= accuracy."
        )
    return "\n\n".join(lines)
