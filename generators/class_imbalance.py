"""`class-imbalance`: the majority-class baseline, `balanced` class weights, and oversampling before the split.

Three questions: the accuracy (and balanced accuracy) of always predicting the majority class
(``sklearn.dummy.DummyClassifier``); the weights ``class_weight="balanced"`` gives each class
(``sklearn.utils.class_weight.compute_class_weight``); and what random oversampling *before* the
train/test split does to a test score, simulated with two scikit-learn pipelines (imbalanced-learn is not
a dependency: oversampling here duplicates minority rows with numpy). The leak question's number, the
chance that a test minority row has an identical copy in training, is ``scipy.stats.hypergeom``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

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
    Scenario("A hospital builds a sepsis early-warning model", "admissions", ("No sepsis", "Sepsis"),
             ((0.02, 0.08),)),
    Scenario("A help desk builds a ticket-priority classifier", "tickets", ("Low", "Medium", "High"),
             ((0.12, 0.25), (0.02, 0.06))),
    Scenario("A bank builds a loan-outcome classifier", "loans", ("Repaid", "Late", "Default"),
             ((0.06, 0.15), (0.01, 0.04))),
)


class ClassImbalanceParams(Params):
    ask: Ask | None = None  # None: random per seed


def _counts(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    """Class counts (majority first) for a dataset of a few thousand to a hundred thousand rows."""
    n = int(rng.choice([2_000, 5_000, 8_000, 10_000, 20_000, 40_000, 50_000, 100_000]))
    minority = [max(10, round(n * rng.uniform(*share))) for share in scenario.shares]
    return np.array([n - sum(minority), *minority])


def _labels_for(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def majority_baseline(counts: np.ndarray) -> tuple[float, float]:
    """(accuracy, balanced accuracy) of ``DummyClassifier(strategy="most_frequent")`` on these labels.

    One row per class weighted by its count is the same data as ``counts`` repeated rows, and keeps this
    O(classes) instead of O(rows) (up to 100,000 rows would cost ~25 ms).
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import balanced_accuracy_score

    y = np.arange(len(counts))
    x = np.zeros((len(y), 1))
    model = DummyClassifier(strategy="most_frequent").fit(x, y, sample_weight=counts)
    predicted = model.predict(x)
    accuracy = float(model.score(x, y, sample_weight=counts))
    return accuracy, float(balanced_accuracy_score(y, predicted, sample_weight=counts))


def balanced_weights(counts: np.ndarray) -> np.ndarray:
    """``compute_class_weight("balanced")`` for labels with these class counts."""
    from sklearn.utils.class_weight import compute_class_weight

    y = _labels_for(counts)
    return compute_class_weight("balanced", classes=np.arange(len(counts)), y=y)


def twin_probability(rows: int, test_rows: int, copies: int) -> float:
    """P(a given test row has at least one of its ``copies - 1`` duplicates in the training set).

    The other copies land among the remaining ``rows - 1`` rows, ``test_rows - 1`` of which are test
    rows; the row has no twin in training only if all of them are in the test set (hypergeometric).
    """
    from scipy.stats import hypergeom

    others = copies - 1
    return float(1.0 - hypergeom.pmf(others, rows - 1, test_rows - 1, others))


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
        solution = "\n\n".join([
            f"Always predicting {majority} is right exactly on the {majority} rows: accuracy = "
            f"{int(counts[0]):,} / {total:,} = **{fmt(accuracy)}**.",
            f"Recall is 1 for {majority} and 0 for every other class, so balanced accuracy = ({recalls}) / {k} = "
            f"**{fmt(balanced)}**, the chance level for {k} classes.",
            "Always quote the majority-class baseline next to accuracy on imbalanced data; better still, report "
            "per-class recall, balanced accuracy or PR-AUC, which a constant prediction cannot game.",
        ])
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="Accuracy?", answer=NumberAnswer(accuracy, tolerance=0.0005 if accuracy > 0.99
                                                                 else 0.005), label="accuracy"),
                   Part(prompt="Balanced accuracy?", answer=NumberAnswer(balanced, tolerance=0.005),
                        label="balanced accuracy")),
            solution=solution,
            data={"ask": "majority-accuracy", "labels": list(scenario.labels), "counts": counts.tolist(),
                  "accuracy": accuracy, "balanced_accuracy": balanced},
            table=_count_table(scenario, counts),
        )

    def _weights(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        counts = _counts(rng, scenario)
        weights = balanced_weights(counts)
        k, total = len(counts), int(counts.sum())
        rare, common = scenario.labels[-1], scenario.labels[0]
        prompt = (
            f"{scenario.context} with scikit-learn and passes `class_weight=\"balanced\"`. The training data "
            "has the class counts below.\n\n"
            f"1. What weight does each **{rare}** row get?\n2. What weight does each **{common}** row get?\n\n"
            "Answer each to 2 decimals (3 significant figures for small weights), separated by ';'."
        )
        formula = [f"{name}: {total:,} / ({k} × {int(c):,}) = {fmt(w, 4)}"
                   for name, c, w in zip(scenario.labels, counts, weights, strict=True)]
        solution = "\n\n".join([
            "`balanced` sets weight(class) = n_samples / (n_classes × count(class)):",
            "\n".join(f"- {line}" for line in formula),
            f"So each {rare} row weighs **{fmt(weights[-1], 4)}** and each {common} row **{fmt(weights[0], 4)}**. "
            "Every class then carries the same total weight n / k, as if the classes were balanced.",
            "Class weights change the loss, not the data: no duplicated rows and no leakage risk. They shift "
            "predicted probabilities upwards for the rare class, so recalibrate before reading them as "
            "probabilities.",
        ])

        def answer(w: float) -> NumberAnswer:
            # Weights span ~0.3 to ~150: 2 decimals, or 0.5% for the big ones.
            return NumberAnswer(float(w), tolerance=0.005, rel_tolerance=0.005)

        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"Weight of each {rare} row?", answer=answer(weights[-1]), label=rare),
                   Part(prompt=f"Weight of each {common} row?", answer=answer(weights[0]), label=common)),
            solution=solution,
            data={"ask": "class-weight", "labels": list(scenario.labels), "counts": counts.tolist(),
                  "weights": weights.tolist()},
            table=_count_table(scenario, counts),
        )

    def _leak(self, rng: np.random.Generator, seed: int, params: ClassImbalanceParams) -> Problem:
        scenario = SCENARIOS[int(rng.integers(4))]  # the binary scenarios
        sim = simulate_leak(rng)
        rare, items = scenario.labels[1], scenario.items
        leaky_is_a = bool(rng.random() < 0.5)
        name = {"leaky": "A" if leaky_is_a else "B", "honest": "B" if leaky_is_a else "A"}
        describe = {
            "leaky": f"duplicate every {rare} row to {sim.copies} copies, then split 75/25",
            "honest": f"split 75/25, then duplicate every {rare} row of the training part to {sim.copies} copies",
        }
        rows = []
        for key in sorted(name, key=name.get):
            score = sim.leaky if key == "leaky" else sim.honest
            rows.append((f"Pipeline {name[key]}", describe[key], f"{score.recall:.3f}", f"{score.f1:.3f}"))
        table = Table(headers=("Pipeline", "Steps", f"Test recall ({rare})", f"Test F1 ({rare})"),
                      rows=tuple(rows), title="unpruned decision tree; test scores on each pipeline's own test set")
        options = (
            Option("A", f"Pipeline A ({describe['leaky' if leaky_is_a else 'honest']})"),
            Option("B", f"Pipeline B ({describe['honest' if leaky_is_a else 'leaky']})"),
            Option("both", "Both: oversampling never changes a row's label, so both test sets are fair"),
        )
        feedback = {
            name["leaky"]: f"Its test set shares {rare} rows with training: {fmt(100 * sim.twin_share, 1)}% of its "
                           f"test {rare} rows have an identical copy in training, and the tree simply remembers "
                           f"them (recall {sim.leaky.recall:.3f} vs {sim.honest.recall:.3f}).",
            "both": f"Labels are fine, but the leaky pipeline's test {rare} rows are copies of training rows, so its "
                    f"recall ({sim.leaky.recall:.3f}) measures memory, not generalisation.",
        }
        twin = twin_probability(sim.rows_after, sim.test_rows, sim.copies)
        prompt = (
            f"{scenario.context}. Only {sim.minority} of {sim.rows:,} {items} are **{rare}**, so two teammates "
            f"oversample by duplication (each {rare} row becomes {sim.copies} identical copies) and fit an unpruned "
            "decision tree. They disagree on *when* to oversample; their test scores are below.\n\n"
            "1. Which pipeline's test score can you trust as an estimate for new data?\n"
            f"2. In the pipeline that oversamples first ({sim.rows_after:,} rows, {sim.test_rows:,} of them drawn "
            f"at random into the test set), what is the probability that a given test {rare} row has at least one "
            "identical copy in the training set? Answer to 3 decimals.\n\nSeparate the answers with ';'."
        )
        approx = 1 - (sim.test_rows / sim.rows_after) ** (sim.copies - 1)
        solution = "\n\n".join([
            f"**Pipeline {name['honest']}** is the honest one: it splits first, so its test set holds only original, "
            f"unseen rows, and its recall {sim.honest.recall:.3f} is what to expect in production.",
            f"Pipeline {name['leaky']} duplicates before splitting: a test {rare} row's {sim.copies - 1} copies "
            "are scattered over both sides. It has no copy in training only if all of them also fell into the test "
            f"set: P = C({sim.test_rows - 1}, {sim.copies - 1}) / C({sim.rows_after - 1}, {sim.copies - 1}) ≈ "
            f"({sim.test_rows:,} / {sim.rows_after:,})^{sim.copies - 1} = {fmt(1 - approx, 4)}.",
            f"So P(twin in training) = **{fmt(twin)}** (≈ {fmt(approx)}). In this run {fmt(100 * sim.twin_share, 1)}% "
            f"of its test {rare} rows had a twin in training, and the tree, which memorises its training rows, "
            f"scored recall {sim.leaky.recall:.3f} on them instead of {sim.honest.recall:.3f}.",
            "Resample (random oversampling, SMOTE, undersampling) only inside the training fold, e.g. in an "
            "imbalanced-learn Pipeline within cross-validation; SMOTE before the split leaks too, since its "
            "synthetic rows interpolate between rows on both sides of the split.",
        ])
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="Which test score can you trust?",
                        answer=ChoiceAnswer(options, name["honest"], feedback), label="trust"),
                   Part(prompt=f"P(a test {rare} row has a twin in training)?",
                        answer=NumberAnswer(twin, tolerance=0.005), label="twin probability")),
            solution=solution,
            data={"ask": "oversampling-leak", "rows": sim.rows, "minority": sim.minority, "copies": sim.copies,
                  "rows_after_oversampling": sim.rows_after, "test_rows": sim.test_rows,
                  "leaky_pipeline": name["leaky"], "honest_pipeline": name["honest"],
                  "leaky": {"recall": sim.leaky.recall, "f1": sim.leaky.f1},
                  "honest": {"recall": sim.honest.recall, "f1": sim.honest.f1},
                  "twin_share": sim.twin_share, "twin_probability": twin},
            table=table,
        )


@dataclass(frozen=True, slots=True)
class Scores:
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class LeakSimulation:
    rows: int
    minority: int
    copies: int
    rows_after: int
    test_rows: int
    leaky: Scores
    honest: Scores
    twin_share: float  # realised share of the leaky test set's minority rows with a copy in training


def simulate_leak(rng: np.random.Generator) -> LeakSimulation:
    """Fit an unpruned tree after oversampling before vs after a 75/25 split; score minority recall and F1.

    Classes overlap (minority shifted by ~0.9 sd on 3 of 6 features), so honest recall is modest; the
    tree memorises duplicated rows, so the leaky pipeline's test copies are recalled almost perfectly.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    rows = int(rng.choice([1000, 1200, 1500]))
    minority = int(round(rows * rng.uniform(0.05, 0.1)))
    copies = int(rng.integers(3, 7))
    shift = np.zeros(6)
    shift[:3] = rng.uniform(0.7, 1.1, size=3)
    x = rng.normal(size=(rows, 6))
    y = np.zeros(rows, dtype=int)
    y[:minority] = 1
    x[:minority] += shift
    ids = np.arange(rows)  # to recognise copies of the same original row

    def oversample(x_: np.ndarray, y_: np.ndarray, id_: np.ndarray) -> tuple[np.ndarray, ...]:
        extra = np.repeat(np.flatnonzero(y_ == 1), copies - 1)
        keep = np.concatenate([np.arange(len(y_)), extra])
        return x_[keep], y_[keep], id_[keep]

    def fit_score(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, y_te: np.ndarray) -> Scores:
        tree = DecisionTreeClassifier(random_state=int(rng.integers(2**31))).fit(x_tr, y_tr)
        predicted = tree.predict(x_te)
        tp = int(np.count_nonzero((predicted == 1) & (y_te == 1)))
        recall = tp / int(np.count_nonzero(y_te == 1))
        flagged = int(np.count_nonzero(predicted == 1))
        precision = tp / flagged if flagged else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        return Scores(recall, f1)

    # Leaky: oversample everything, then split.
    x_o, y_o, id_o = oversample(x, y, ids)
    x_tr, x_te, y_tr, y_te, id_tr, id_te = train_test_split(
        x_o, y_o, id_o, test_size=0.25, random_state=int(rng.integers(2**31)))
    leaky = fit_score(x_tr, y_tr, x_te, y_te)
    twin_share = float(np.isin(id_te[y_te == 1], id_tr).mean())
    rows_after, test_rows = len(y_o), len(y_te)

    # Honest: split, then oversample the training part only.
    x_tr, x_te, y_tr, y_te, id_tr, _ = train_test_split(
        x, y, ids, test_size=0.25, stratify=y, random_state=int(rng.integers(2**31)))
    x_tr, y_tr, _ = oversample(x_tr, y_tr, id_tr)
    honest = fit_score(x_tr, y_tr, x_te, y_te)
    return LeakSimulation(rows, minority, copies, rows_after, test_rows, leaky, honest, twin_share)
