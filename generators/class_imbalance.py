"""`class-imbalance`: the majority-class baseline, `balanced` class weights, and oversampling before the split.

Three questions: the accuracy (and balanced accuracy) of always predicting the majority class
(``sklearn.dummy.DummyClassifier``); the weights ``class_weight="balanced"`` gives each class
(``sklearn.utils.class_weight.compute_class_weight``); and what random oversampling *before* the
train/test split does to a test score, simulated with two scikit-learn pipelines (imbalanced-learn is not
a dependency: oversampling here duplicates minority rows with numpy). The leak question's number, the
chance that a test minority row has an identical copy in training, is hypergeometric. Making a problem
imports neither scikit-learn nor scipy (~90 MB of a drill session): the baseline and the weights are
computed as scikit-learn computes them, the split and the tree are scikit-learn's as
:mod:`generators._splits` and :mod:`generators._tree` rebuild them, and the tests compare them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from generators._splits import train_test_split
from generators._tree import fit_tree
from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Ask = Literal["majority-accuracy", "class-weight", "oversampling-leak"]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    labels: tuple[str, ...]  # majority class first
    shares: tuple[tuple[float, float], ...]  # share range of each minority class


SCENARIOS = (
    Scenario("A bank builds a card-fraud classifier", "transactions", ("Legit", "Fraud"), ((0.003, 0.02),)),
    Scenario("A telecom builds a churn classifier", "subscribers", ("Stay", "Churn"), ((0.04, 0.15),)),
    Scenario("A factory builds a defect detector", "parts", ("OK", "Defect"), ((0.005, 0.03),)),
    Scenario(
        "A hospital builds a sepsis early-warning model",
        "admissions",
        ("No sepsis", "Sepsis"),
        ((0.02, 0.08),),
    ),
    Scenario(
        "A help desk builds a ticket-priority classifier",
        "tickets",
        ("Low", "Medium", "High"),
        ((0.12, 0.25), (0.02, 0.06)),
    ),
    Scenario(
        "A bank builds a loan-outcome classifier",
        "loans",
        ("Repaid", "Late", "Default"),
        ((0.06, 0.15), (0.01, 0.04)),
    ),
)


class ClassImbalanceParams(Params):
    ask: Ask | None = None  # None: random per seed


def _counts(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    """Class counts (majority first) for a dataset of a few thousand to a hundred thousand rows."""
    n = int(rng.choice([2_000, 5_000, 8_000, 10_000, 20_000, 40_000, 50_000, 100_000]))
    minority = [max(10, round(n * rng.uniform(*share))) for share in scenario.shares]
    return np.array([n - sum(minority), *minority])


def majority_baseline(counts: np.ndarray) -> tuple[float, float]:
    """(accuracy, balanced accuracy) of ``DummyClassifier(strategy="most_frequent")`` on these labels.

    One row per class weighted by its count is the same data as ``counts`` repeated rows, and keeps this
    O(classes) instead of O(rows) (up to 100,000 rows would cost ~25 ms).

    Computed as scikit-learn computes it, without importing it: the prediction is the class with the largest
    weighted count (the first on a tie), accuracy the weighted share of rows it gets right, balanced accuracy
    the mean over classes of the confusion matrix's diagonal over its row sums (the tests compare the floats).
    """
    y = np.arange(len(counts))
    predicted = np.full(len(y), int(np.argmax(counts)))
    accuracy = float(np.average((predicted == y).astype(np.float64), weights=counts))
    confusion = np.zeros((len(y), len(y)), dtype=np.int64)
    np.add.at(confusion, (y, predicted), counts)
    return accuracy, float(np.mean(np.diag(confusion) / confusion.sum(axis=1)))


def balanced_weights(counts: np.ndarray) -> np.ndarray:
    """``compute_class_weight("balanced")`` for labels with these class counts: n / (classes x count), the
    same float operations as scikit-learn's."""
    class_counts = np.asarray(counts, dtype=np.float64)  # np.bincount of the labels, without the rows
    return np.sum(class_counts) / (len(counts) * class_counts)


def twin_probability(rows: int, test_rows: int, copies: int) -> float:
    """P(a given test row has at least one of its ``copies - 1`` duplicates in the training set).

    The other copies land among the remaining ``rows - 1`` rows, ``test_rows - 1`` of which are test
    rows; the row has no twin in training only if all of them are in the test set (hypergeometric): that
    chance is C(test_rows - 1, copies - 1) / C(rows - 1, copies - 1), taken exactly and rounded once (what
    ``1 - scipy.stats.hypergeom.pmf`` approximates, sometimes one unit in the last place off).
    """
    others = copies - 1
    return float(1 - Fraction(math.comb(test_rows - 1, others), math.comb(rows - 1, others)))


def _count_table(scenario: Scenario, counts: np.ndarray) -> Table:
    # Counts only: a share column would hand over the majority-class accuracy.
    total = int(counts.sum())
    return Table(
        headers=("Class", scenario.items.capitalize()),
        rows=tuple((name, f"{int(c):,}") for name, c in zip(scenario.labels, counts, strict=True)),
        title=f"labelled data: {total:,} {scenario.items}",
    )


class ClassImbalance(Generator):
    name = "class-imbalance"
    title = "Class imbalance: baselines, balanced weights, oversampling leaks"
    description = (
        "The accuracy and balanced accuracy of always predicting the majority class, the weights "
        "class_weight='balanced' assigns, and why oversampling before the train/test split inflates the "
        "test score (simulated with scikit-learn)."
    )
    Params = ClassImbalanceParams
    topics = ("imbalance", "metrics", "leakage")

    def make(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        ask = params.ask or str(rng.choice(["majority-accuracy", "class-weight", "oversampling-leak"]))
        if ask == "majority-accuracy":
            return self._baseline(rng, seed, params)
        if ask == "class-weight":
            return self._weights(rng, seed, params)
        return self._leak(rng, seed, params)

    def _baseline(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        counts = _counts(rng, scenario)
        accuracy, balanced = majority_baseline(counts)
        k, total, majority = len(counts), int(counts.sum()), scenario.labels[0]
        prompt = (
            f"{scenario.context}. The labelled data has the class counts below. A colleague's first model "
            f"always predicts **{majority}**.\n\n"
            "1. What **accuracy** does it get on this data?\n"
            "2. What is its **balanced accuracy** (the mean of the per-class recalls)?\n\n"
            "Answer each to 3 decimals (percentages are fine), separated by ';'."
        )
        recalls = " + ".join(["1", *(["0"] * (k - 1))])
        solution = "\n\n".join(
            [
                f"Always predicting {majority} is right exactly on the {majority} rows: accuracy = "
                f"{int(counts[0]):,} / {total:,} = **{fmt(accuracy)}**.",
                f"Recall is 1 for {majority} and 0 for every other class, so balanced accuracy = ({recalls}) / {k} = "
                f"**{fmt(balanced)}**, the chance level for {k} classes.",
                "Always quote the majority-class baseline next to accuracy on imbalanced data; better still, report "
                "per-class recall, balanced accuracy or PR-AUC, which a constant prediction cannot game.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt="Accuracy?", answer=NumberAnswer(accuracy, decimals=3), label="accuracy"),
                Part(
                    prompt="Balanced accuracy?",
                    answer=NumberAnswer(balanced, decimals=3),
                    label="balanced accuracy",
                ),
            ),
            solution=solution,
            data={
                "ask": "majority-accuracy",
                "labels": list(scenario.labels),
                "counts": counts.tolist(),
                "accuracy": accuracy,
                "balanced_accuracy": balanced,
            },
            table=_count_table(scenario, counts),
        )

    def _weights(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        counts = _counts(rng, scenario)
        weights = balanced_weights(counts)
        k, total = len(counts), int(counts.sum())
        rare, common = scenario.labels[-1], scenario.labels[0]
        prompt = (
            f'{scenario.context} with scikit-learn and passes `class_weight="balanced"`. The training data '
            "has the class counts below.\n\n"
            f"1. What weight does each **{rare}** row get?\n2. What weight does each **{common}** row get?\n\n"
            "Answer each to 2 decimals, separated by ';'."
        )
        formula = [
            f"{name}: {total:,} / ({k} × {int(c):,}) = {fmt(w, 4)}"
            for name, c, w in zip(scenario.labels, counts, weights, strict=True)
        ]
        solution = "\n\n".join(
            [
                "`balanced` sets weight(class) = n_samples / (n_classes × count(class)):",
                "\n".join(f"- {line}" for line in formula),
                f"So each {rare} row weighs **{fmt(weights[-1], 4)}** and each {common} row **{fmt(weights[0], 4)}**. "
                "Every class then carries the same total weight n / k, as if the classes were balanced.",
                "Class weights change the loss, not the data: no duplicated rows and no leakage risk. They shift "
                "predicted probabilities upwards for the rare class, so recalibrate before reading them as "
                "probabilities.",
            ]
        )

        def answer(w: float) -> NumberAnswer:
            return NumberAnswer(float(w), decimals=2)

        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt=f"Weight of each {rare} row?", answer=answer(weights[-1]), label=rare),
                Part(prompt=f"Weight of each {common} row?", answer=answer(weights[0]), label=common),
            ),
            solution=solution,
            data={
                "ask": "class-weight",
                "labels": list(scenario.labels),
                "counts": counts.tolist(),
                "weights": weights.tolist(),
            },
            table=_count_table(scenario, counts),
        )

    def _leak(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(4))]  # the binary scenarios
        rare, items = scenario.labels[1], scenario.items
        # Which pipelines are honest is drawn first, a quarter each: only A, only B, both, neither. The steps
        # in the table decide; a lower score is not a reason to trust a pipeline.
        case = str(rng.choice(["A", "B", "both", "neither"]))
        kinds = {
            "A": ("honest", "leaky"),
            "B": ("leaky", "honest"),
            "both": ("honest", "honest"),
            "neither": ("leaky", "leaky"),
        }[case]
        copies_a = int(rng.integers(3, 7))
        copies_b = int(rng.choice([c for c in range(3, 7) if c != copies_a]))
        sim = simulate_pipelines(rng, kinds, (copies_a, copies_b))
        runs = dict(zip("AB", sim.runs, strict=True))

        def steps(run: PipelineRun) -> str:
            if run.kind == "leaky":
                return (
                    f"1. duplicate each {rare} row of all {sim.rows:,} to {run.copies} copies; 2. split 75/25 at "
                    "random; 3. fit on the 75%, score on the 25%"
                )
            return (
                f"1. split 75/25 at random; 2. duplicate each {rare} row of the 75% to {run.copies} copies; "
                "3. fit on the 75%, score on the 25%"
            )

        table = Table(
            headers=("Pipeline", "Steps", f"Test recall ({rare})", f"Test F1 ({rare})"),
            rows=tuple(
                (f"Pipeline {key}", steps(run), f"{run.scores.recall:.3f}", f"{run.scores.f1:.3f}")
                for key, run in runs.items()
            ),
            title="unpruned decision tree; test scores on each pipeline's own test set",
        )
        options = (
            Option("A", "Pipeline A's score only", aliases=("Pipeline A", "A only")),
            Option("B", "Pipeline B's score only", aliases=("Pipeline B", "B only")),
            Option("both", "Both pipelines' scores", aliases=("A and B", "both of them")),
            Option("neither", "Neither pipeline's score", aliases=("none", "neither of them")),
        )
        leaky = [key for key, run in runs.items() if run.kind == "leaky"]
        honest = [key for key, run in runs.items() if run.kind == "honest"]

        def why(key: str) -> str:
            run = runs[key]
            if run.kind == "leaky":
                return (
                    f"Pipeline {key} duplicates before it splits, so {fmt(100 * run.twin_share, 1)}% of its test "
                    f"{rare} rows have an identical copy in training; its recall {run.scores.recall:.3f} "
                    "measures memory."
                )
            return (
                f"Pipeline {key} splits first and duplicates only training rows, so its test rows are unseen; "
                f"its recall {run.scores.recall:.3f} is a fair estimate."
            )

        feedback = {
            "A": f"{why('A')} {why('B')}" if case != "A" else "",
            "B": f"{why('B')} {why('A')}" if case != "B" else "",
            "both": " ".join(why(key) for key in leaky),
            "neither": " ".join(why(key) for key in honest),
        }
        feedback = {name: text for name, text in feedback.items() if name != case}
        k = copies_a
        rows_after = sim.rows + sim.minority * (k - 1)
        test_rows = math.ceil(0.25 * rows_after)
        twin = twin_probability(rows_after, test_rows, k)
        prompt = (
            f"{scenario.context}. Only {sim.minority} of {sim.rows:,} {items} are **{rare}**, so two teammates "
            f"oversample by duplication and fit an unpruned decision tree. Their pipelines (steps in order) and "
            "test scores are in the table.\n\n"
            "1. Whose test score can you trust as an estimate for new data?\n"
            f"2. Suppose every {rare} row is duplicated to {k} identical copies **before** a random 75/25 split "
            f"({rows_after:,} rows, {test_rows:,} of them in the test set). What is the probability that a given "
            f"test {rare} row has at least one identical copy in the training set? Answer to 3 decimals.\n\n"
            "Separate the answers with ';'."
        )
        approx = 1 - (test_rows / rows_after) ** (k - 1)
        verdict = {
            "A": "only Pipeline A's",
            "B": "only Pipeline B's",
            "both": "both scores",
            "neither": "neither score",
        }[case]
        solution = "\n\n".join(
            [
                "Read the order of the steps, not the size of the scores: a pipeline is honest when it splits "
                "*before* it duplicates, so its test set holds only original rows the tree never saw.",
                "\n".join(f"- {why(key)}" for key in runs),
                f"So trust **{verdict}**"
                + (
                    " (two honest pipelines differ only by the amount of oversampling, and by chance)."
                    if case == "both"
                    else " (both leak; rerun them with the split first)."
                    if case == "neither"
                    else "."
                ),
                f"Part 2: a test {rare} row's {k - 1} copies are scattered over both sides. It has no copy in training "
                f"only if all of them also fell into the test set: P = C({test_rows - 1}, {k - 1}) / "
                f"C({rows_after - 1}, {k - 1}) ≈ ({test_rows:,} / {rows_after:,})^{k - 1} = {fmt(1 - approx, 4)}, so "
                f"P(twin in training) = **{twin:.3f}** (≈ {fmt(approx, 3)}).",
                "Resample (random oversampling, SMOTE, undersampling) only inside the training fold, e.g. in an "
                "imbalanced-learn Pipeline within cross-validation; SMOTE before the split leaks too, since its "
                "synthetic rows interpolate between rows on both sides of the split.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(
                    prompt="Whose test score can you trust?",
                    answer=ChoiceAnswer(options, case, feedback),
                    label="trust",
                ),
                Part(
                    prompt=f"P(a test {rare} row has a twin in training)?",
                    answer=NumberAnswer(twin, decimals=3),
                    label="twin probability",
                ),
            ),
            solution=solution,
            data={
                "ask": "oversampling-leak",
                "rows": sim.rows,
                "minority": sim.minority,
                "copies": k,
                "rows_after_oversampling": rows_after,
                "test_rows": test_rows,
                "trust": case,
                "pipelines": {
                    key: {
                        "kind": run.kind,
                        "copies": run.copies,
                        "recall": run.scores.recall,
                        "f1": run.scores.f1,
                        "twin_share": run.twin_share,
                    }
                    for key, run in runs.items()
                },
                "twin_probability": twin,
            },
            table=table,
        )


@dataclass(frozen=True, slots=True)
class Scores:
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class PipelineRun:
    kind: str  # "leaky" (duplicate, then split) or "honest" (split, then duplicate the training part)
    copies: int
    scores: Scores
    twin_share: float  # share of the test minority rows with an identical copy in training (0 when honest)


@dataclass(frozen=True, slots=True)
class PipelineSimulation:
    rows: int
    minority: int
    runs: tuple[PipelineRun, ...]


def simulate_pipelines(
    rng: np.random.Generator, kinds: tuple[str, ...], copies: tuple[int, ...]
) -> PipelineSimulation:
    """Run each pipeline on one shared dataset: an unpruned tree after oversampling before ("leaky") or after
    ("honest") a 75/25 split; score minority recall and F1 on that pipeline's own test set.

    Classes overlap (minority shifted by ~0.9 sd on 3 of 6 features), so honest recall is modest; the
    tree memorises duplicated rows, so a leaky pipeline's test copies are recalled almost perfectly.
    """
    rows = int(rng.choice([1000, 1200, 1500]))
    minority = int(round(rows * rng.uniform(0.05, 0.1)))
    shift = np.zeros(6)
    shift[:3] = rng.uniform(0.7, 1.1, size=3)
    x = rng.normal(size=(rows, 6))
    y = np.zeros(rows, dtype=int)
    y[:minority] = 1
    x[:minority] += shift
    ids = np.arange(rows)  # to recognise copies of the same original row

    def oversample(x_: np.ndarray, y_: np.ndarray, id_: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
        extra = np.repeat(np.flatnonzero(y_ == 1), k - 1)
        keep = np.concatenate([np.arange(len(y_)), extra])
        return x_[keep], y_[keep], id_[keep]

    def fit_score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, y_te: np.ndarray) -> Scores:
        tree = fit_tree(x_tr, y_tr, classification=True, random_state=int(rng.integers(2**31)))
        predicted = tree.predict(x_te)
        tp = int(np.count_nonzero((predicted == 1) & (y_te == 1)))
        recall = tp / int(np.count_nonzero(y_te == 1))
        flagged = int(np.count_nonzero(predicted == 1))
        precision = tp / flagged if flagged else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        return Scores(recall, f1)

    runs = []
    for kind, k in zip(kinds, copies, strict=True):
        if kind == "leaky":  # oversample everything, then split
            x_o, y_o, id_o = oversample(x, y, ids, k)
            x_tr, x_te, y_tr, y_te, id_tr, id_te = train_test_split(
                x_o, y_o, id_o, test_size=0.25, random_state=int(rng.integers(2**31))
            )
            twin_share = float(np.isin(id_te[y_te == 1], id_tr).mean())
        else:  # split, then oversample the training part only
            x_tr, x_te, y_tr, y_te, id_tr, _ = train_test_split(
                x, y, ids, test_size=0.25, stratify=y, random_state=int(rng.integers(2**31))
            )
            x_tr, y_tr, _ = oversample(x_tr, y_tr, id_tr, k)
            twin_share = 0.0
        runs.append(PipelineRun(kind, k, fit_score(x_tr, y_tr, x_te, y_te), twin_share))
    return PipelineSimulation(rows, minority, tuple(runs))
