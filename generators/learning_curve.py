"""`learning-curve`: diagnose a real learning curve, then pick the next step the curve's numbers call for.

Each instance builds a small 2-feature dataset and a model that really is high-bias (a straight line or a
stump on a curved truth), high-variance (an unpruned tree, 1-nearest-neighbour or a deep tree on noisy
labels) or a good fit, and computes its 5-fold learning curve (accuracy or R², both on a 0-1 scale; the
same numbers ``sklearn.model_selection.learning_curve`` gives, which the tests check, computed here with
light numpy models so an instance takes milliseconds). We made the noise, so we know the *ceiling*: the
best score any model can reach on fresh data. The label is verified against the curve's end point:

* ``high_variance``: final gap (train - validation) >= 0.15
* ``good_fit``:      final gap <= 0.06 and validation within 0.08 of the ceiling
* ``high_bias``:     final gap <= 0.08 and validation >= 0.15 below the ceiling

Part 2 asks for the next step, given a stated target score and a stated rule for when more rows are worth
collecting. The right step follows from the curve's own numbers, in this order:

1. validation already meets the target                    -> ship it
2. the target is above the noise ceiling                  -> cut the noise (re-measure / re-label)
3. even the training score is below the target            -> a bias fix (more capacity or a richer feature)
4. validation still rose by >= RISE_MIN over the last step -> more rows
5. otherwise (the gap is the problem, more rows stalled)  -> regularise / constrain the model

Which step is right is drawn first (so every step is the key in a fair share of instances, whatever the
diagnosis), then a curve and a target that call for it, with margins so that no reading is borderline.
Curves that miss their label or the rule's margins are redrawn with the same rng, so instances stay
deterministic per seed; after ``MAX_ATTEMPTS`` a known-good configuration (fixed seed) is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

from generators._arrays import distinct
from generators._splits import KFold, StratifiedKFold
from generators._tree import fit_tree
from generators.base import ChoiceAnswer, Figure, Generator, Option, Params, Part, Problem, Series, Table, fmt

Diagnosis = Literal["high_bias", "high_variance", "good_fit"]
Task = Literal["classification", "regression"]
DIAGNOSES: tuple[str, ...] = Diagnosis.__args__  # type: ignore[attr-defined]
TASKS: tuple[str, ...] = Task.__args__  # type: ignore[attr-defined]

# Thresholds of the verified label (see the module docstring); the tests import them.
HIGH_VARIANCE_MIN_GAP = 0.15
HIGH_BIAS_MAX_GAP = 0.08
HIGH_BIAS_MIN_SHORTFALL = 0.15
GOOD_FIT_MAX_GAP = 0.06
GOOD_FIT_MAX_SHORTFALL = 0.08

RISE_MIN = 0.015  # more rows are worth collecting only while validation still rises this much per step
RISE_MARGIN = 0.005  # the last rise must clear RISE_MIN (or fall short of it) by this much
TARGET_MARGIN = 0.01  # the target sits at least this far from validation, training and the ceiling

MAX_ATTEMPTS = 12
CV_FOLDS = 5
TRAIN_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)

BIAS_FIXES = ("more_capacity", "better_features")
STEPS = ("more_data", "more_regularisation", "more_capacity", "better_features", "better_labels", "ship_it")
STEP_LABELS = {
    "more_data": "Collect more training rows for the same model",
    "more_regularisation": "Regularise or constrain the model more strongly",
    "more_capacity": "Switch to a more flexible model (more capacity)",
    "better_features": "Engineer a richer feature that captures the pattern",
    "better_labels": "Reduce the noise: re-measure or re-label the rows",
    "ship_it": "Ship the current model as it is, unchanged",
}
DIAGNOSIS_LABELS = {
    "high_bias": "High bias (underfitting)",
    "high_variance": "High variance (overfitting)",
    "good_fit": "Good fit",
}
# The kind of right step drawn for each diagnosis ("bias_fix" becomes the bias fix offered). A good fit has
# nothing left to fix but the target; high bias cannot be cured by rows or regularisation.
STEP_WEIGHTS: dict[str, dict[str, float]] = {
    "high_bias": {"bias_fix": 0.7, "ship_it": 0.15, "better_labels": 0.15},
    "high_variance": {"more_data": 0.35, "more_regularisation": 0.35, "ship_it": 0.15, "better_labels": 0.15},
    "good_fit": {"ship_it": 0.5, "better_labels": 0.5},
}


@dataclass(frozen=True, slots=True)
class Recipe:
    """A model + data-generating process that produces one diagnosis."""

    diagnosis: str
    task: str
    model: str  # model key, see ``fit_predict``
    rules: tuple[str, ...]  # decision boundaries (classification) or target functions (regression)
    rows: tuple[int, int]
    noise: tuple[float, float]  # label-flip rate (classification) or the R² ceiling (regression)
    rising: bool = False  # validation tends to still climb at the end (the recipe for "more rows")


RECIPES = (
    Recipe("high_bias", "classification", "logistic", ("circle", "xor"), (240, 400), (0.02, 0.06)),
    Recipe("high_bias", "classification", "stump", ("sine", "circle"), (240, 400), (0.02, 0.05)),
    Recipe("high_variance", "classification", "tree", ("sine", "circle"), (250, 350), (0.2, 0.3)),
    Recipe("high_variance", "classification", "1nn", ("sine", "circle", "xor"), (250, 350), (0.2, 0.3)),
    # no XOR for trees: greedy splits can't see it, so a tree's behaviour there is erratic
    Recipe(
        "high_variance", "classification", "tree7", ("sine", "circle"), (60, 140), (0.1, 0.2), rising=True
    ),
    Recipe("good_fit", "classification", "logistic", ("linear",), (240, 400), (0.02, 0.06)),
    Recipe("good_fit", "classification", "knn15", ("circle", "sine"), (500, 700), (0.02, 0.05)),
    Recipe("high_bias", "regression", "linear", ("sine", "bump"), (160, 300), (0.85, 0.95)),
    Recipe("high_bias", "regression", "stump", ("sine",), (160, 300), (0.85, 0.95)),
    Recipe("high_variance", "regression", "tree", ("sine", "bump"), (150, 250), (0.75, 0.85)),
    Recipe("high_variance", "regression", "1nn", ("sine", "bump"), (150, 250), (0.75, 0.85)),
    Recipe("high_variance", "regression", "tree7", ("sine", "bump"), (50, 110), (0.8, 0.9), rising=True),
    Recipe("high_variance", "regression", "knn3", ("sine", "bump"), (50, 110), (0.8, 0.9), rising=True),
    Recipe("good_fit", "regression", "linear", ("linear",), (160, 300), (0.8, 0.95)),
    Recipe("good_fit", "regression", "knn15", ("sine", "bump"), (250, 350), (0.85, 0.95)),
)

MODEL_NAMES = {
    "logistic": "a logistic regression (a straight decision boundary)",
    "linear": "a linear regression",
    "stump": "a depth-1 decision tree (a stump: one split)",
    "tree7": "a depth-7 decision tree",
    "tree": "an unpruned decision tree (grown until every leaf is pure)",
    "1nn": "1-nearest-neighbour",
    "knn3": "3-nearest-neighbours",
    "knn15": "15-nearest-neighbours",
}
RULE_NAMES = {
    "circle": "inside vs outside a circle",
    "xor": "an XOR pattern (positive when both features share a sign)",
    "sine": "a wavy (sine-shaped) boundary",
    "linear": "a straight line",
}
REGRESSION_RULE_NAMES = {
    "sine": "a sine wave in x1 plus a slope in x2",
    "bump": "a Gaussian bump on a slope",
    "linear": "a linear function of both features",
}


class LearningCurveParams(Params):
    diagnosis: Diagnosis | None = None
    task: Task | None = None


def verified_label(train_final: float, val_final: float, ceiling: float) -> str | None:
    """The diagnosis this curve's end point supports, or None when it is ambiguous."""
    gap = train_final - val_final
    shortfall = ceiling - val_final
    if gap >= HIGH_VARIANCE_MIN_GAP:
        return "high_variance"
    if gap <= GOOD_FIT_MAX_GAP and shortfall <= GOOD_FIT_MAX_SHORTFALL:
        return "good_fit"
    if gap <= HIGH_BIAS_MAX_GAP and shortfall >= HIGH_BIAS_MIN_SHORTFALL:
        return "high_bias"
    return None


def step_for(train: float, val: float, last_rise: float, target: float, ceiling: float) -> str:
    """The next step the numbers call for (``bias_fix`` stands for whichever bias fix is offered)."""
    if val >= target:
        return "ship_it"
    if target > ceiling:
        return "better_labels"
    if train < target:
        return "bias_fix"
    return "more_data" if last_rise >= RISE_MIN else "more_regularisation"


def clear_reading(train: float, val: float, last_rise: float, target: float, ceiling: float) -> bool:
    """Every comparison the rule makes on the way to its step is decided by a margin, not by rounding."""
    if abs(val - target) < TARGET_MARGIN:
        return False
    if val >= target:
        return True
    if abs(target - ceiling) < TARGET_MARGIN:
        return False
    if target > ceiling:
        return True
    if abs(train - target) < TARGET_MARGIN:
        return False
    return train < target or abs(last_rise - RISE_MIN) >= RISE_MARGIN


# -- data ------------------------------------------------------------------------------------------


def _class_target(rule: str, X: np.ndarray) -> np.ndarray:
    """Noise-free labels for points in [-1, 1]^2."""
    x1, x2 = X[:, 0], X[:, 1]
    match rule:
        case "circle":  # radius chosen so the circle covers half the square: balanced classes
            return (x1**2 + x2**2 < 2 / np.pi).astype(int)
        case "xor":
            return (x1 * x2 > 0).astype(int)
        case "sine":
            return (x2 > 0.6 * np.sin(3 * x1)).astype(int)
        case "linear":
            return (x1 + 0.5 * x2 > 0.1).astype(int)
    raise ValueError(f"unknown rule {rule!r}")


def _regression_target(rule: str, X: np.ndarray) -> np.ndarray:
    """Noise-free values for points in [-1, 1]^2."""
    x1, x2 = X[:, 0], X[:, 1]
    match rule:
        case "sine":
            return np.sin(3 * x1) + 0.5 * x2
        case "bump":
            return 2 * np.exp(-3 * (x1**2 + x2**2)) + 0.5 * x1
        case "linear":
            return 1.5 * x1 - 0.8 * x2
    raise ValueError(f"unknown rule {rule!r}")


@cache
def _signal_variance(rule: str) -> float:
    """Variance of the regression target over the uniform square (on a fine grid: exact enough)."""
    grid = np.linspace(-1, 1, 201)
    X = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    return float(_regression_target(rule, X).var())


@dataclass(frozen=True, slots=True)
class Process:
    """How rows are made: the truth, and the noise that sets the best achievable score."""

    task: str
    rule: str
    noise: float  # label-flip rate, or noise sd

    @property
    def ceiling(self) -> float:
        if self.task == "classification":
            return 1.0 - self.noise  # flips are independent of x: Bayes accuracy is 1 - flip rate
        signal = _signal_variance(self.rule)
        return signal / (signal + self.noise**2)

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        X = rng.uniform(-1, 1, size=(n, 2))
        if self.task == "classification":
            return X, _class_target(self.rule, X) ^ (rng.random(n) < self.noise)
        return X, _regression_target(self.rule, X) + rng.normal(0, self.noise, n)


def _process(rng: np.random.Generator, recipe: Recipe) -> Process:
    rule = str(rng.choice(recipe.rules))
    if recipe.task == "classification":
        return Process(recipe.task, rule, float(np.round(rng.uniform(*recipe.noise), 2)))
    ceiling = float(rng.uniform(*recipe.noise))
    sd = np.sqrt(_signal_variance(rule) * (1 - ceiling) / ceiling)
    return Process(recipe.task, rule, float(np.round(sd, 2)))


# -- models ----------------------------------------------------------------------------------------
#
# A learning curve is 25 fits (5 folds x 5 sizes). scikit-learn's per-call checks cost more than these tiny
# fits themselves, so the models are numpy here, and importing scikit-learn would cost a drill session ~90 MB:
# the trees are scikit-learn's as generators._tree rebuilds them, the folds its (Stratified)KFold as
# generators._splits does. The tests check every model against its scikit-learn counterpart and the whole curve
# against ``sklearn.model_selection.learning_curve``.

LOGISTIC_C = 1.0  # scikit-learn's default: penalty ½‖w‖² + C·Σ log-loss, intercept not penalised
TREE_DEPTHS = {"stump": 1, "tree7": 7, "tree": None}


def _logistic(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights (w1, w2, b) of L2 logistic regression with C = 1, by Newton's method (3 parameters)."""
    design = np.column_stack([X, np.ones(len(X))])
    theta = np.zeros(design.shape[1])
    penalty = np.diag([1.0] * X.shape[1] + [0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(design @ theta)))
        gradient = penalty @ theta + LOGISTIC_C * design.T @ (p - y)
        hessian = penalty + LOGISTIC_C * (design * (p * (1 - p))[:, None]).T @ design
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-10:
            break
    return theta


def fit_predict(
    key: str, task: str, X: np.ndarray, y: np.ndarray, evaluate: list[np.ndarray], random_state: int
) -> list[np.ndarray]:
    """Fit model ``key`` on (X, y) and predict each array in ``evaluate``."""
    if key == "1nn" or key.startswith("knn"):
        k = 1 if key == "1nn" else int(key[3:])
        out = []
        for points in evaluate:
            # Summed feature by feature: the same floats as ((a - b) ** 2).sum(axis=2), without the 3-d array.
            distances = sum((points[:, None, f] - X[None, :, f]) ** 2 for f in range(X.shape[1]))
            nearest = (
                np.argpartition(distances, k - 1, axis=1)[:, :k]
                if k > 1
                else distances.argmin(axis=1)[:, None]
            )
            votes = y[nearest].mean(axis=1)
            # k is odd, so a binary vote never ties
            out.append((votes > 0.5).astype(int) if task == "classification" else votes)
        return out
    if key == "linear":
        design = np.column_stack([X, np.ones(len(X))])
        coef = np.linalg.lstsq(design, y, rcond=None)[0]
        return [np.column_stack([points, np.ones(len(points))]) @ coef for points in evaluate]
    if key == "logistic":
        theta = _logistic(X, y)
        return [
            (np.column_stack([points, np.ones(len(points))]) @ theta > 0).astype(int) for points in evaluate
        ]
    tree = fit_tree(
        X, y, classification=task == "classification", max_depth=TREE_DEPTHS[key], random_state=random_state
    )
    return [tree.predict(points) for points in evaluate]


def score(task: str, y: np.ndarray, predicted: np.ndarray) -> float:
    """Accuracy, or R² against the evaluated rows' own mean (scikit-learn's ``r2_score``)."""
    if task == "classification":
        return float(np.mean(predicted == y))
    return float(1 - ((y - predicted) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def _splitter(task: str, random_state: int) -> Any:
    """The folds ``learning_curve(cv=...)`` gets: scikit-learn's (Stratified)KFold, as :mod:`generators._splits`
    reproduces it."""
    kind = StratifiedKFold if task == "classification" else KFold
    return kind(n_splits=CV_FOLDS, shuffle=True, random_state=random_state)


@dataclass(frozen=True, slots=True)
class Curve:
    sizes: tuple[int, ...]
    train: tuple[float, ...]
    val: tuple[float, ...]

    @property
    def gap(self) -> float:
        return self.train[-1] - self.val[-1]

    @property
    def last_rise(self) -> float:
        return self.val[-1] - self.val[-2]


def learning_curve(model: str, X: np.ndarray, y: np.ndarray, task: str, random_state: int) -> Curve:
    """Mean training and validation scores over CV_FOLDS folds at growing sizes (each fold's first rows)."""
    splits = list(_splitter(task, random_state).split(X, y))
    largest = len(splits[0][0])  # as scikit-learn does: the first split's training part
    sizes = tuple(int(s) for s in distinct((np.array(TRAIN_FRACTIONS) * largest).astype(int)))
    train_scores = np.zeros((len(sizes), len(splits)))
    val_scores = np.zeros((len(sizes), len(splits)))
    for j, (train, test) in enumerate(splits):
        for i, size in enumerate(sizes):
            rows = train[:size]
            seen, held_out = fit_predict(model, task, X[rows], y[rows], [X[rows], X[test]], random_state)
            train_scores[i, j] = score(task, y[rows], seen)
            val_scores[i, j] = score(task, y[test], held_out)
    return Curve(
        sizes,
        tuple(float(v) for v in train_scores.mean(axis=1)),
        tuple(float(v) for v in val_scores.mean(axis=1)),
    )


# -- building an instance ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instance:
    recipe: Recipe
    process: Process
    n_rows: int
    curve: Curve
    target: float  # the stated target score for validation
    steps: tuple[str, ...]  # the offered next steps, in display order
    right_step: str


def _recipes(diagnosis: str, task: str, step: str) -> list[Recipe]:
    found = [r for r in RECIPES if r.diagnosis == diagnosis and r.task == task]
    if step in ("more_data", "more_regularisation"):  # pick curves likely to rise / to have stalled
        found = [r for r in found if r.rising == (step == "more_data")]
    return found


def _target(rng: np.random.Generator, kind: str, curve: Curve, ceiling: float) -> float | None:
    """A target (2 decimals) under which ``kind`` is the right step for this curve, or None if none fits."""
    train, val = curve.train[-1], curve.val[-1]
    m = TARGET_MARGIN
    if kind == "ship_it":
        low, high = val - 0.06, val - m
    elif kind == "better_labels":
        low, high = ceiling + 2 * m, min(ceiling + 0.06, 0.99)
    elif kind == "bias_fix":
        low, high = train + m, ceiling - m
    else:
        low, high = val + m, min(train, ceiling) - m
    low, high = np.ceil(low * 100) / 100, np.floor(high * 100) / 100
    if low > high:
        return None
    return float(np.round(rng.choice(np.arange(low, high + 1e-9, 0.01)), 2))


def _attempt(rng: np.random.Generator, recipe: Recipe, kind: str) -> Instance | None:
    """Build one candidate instance; None when its curve misses its label or the step's reading."""
    process = _process(rng, recipe)
    n = int(rng.integers(recipe.rows[0], recipe.rows[1] + 1))
    random_state = int(rng.integers(2**31))
    X, y = process.draw(rng, n)
    curve = learning_curve(recipe.model, X, y, recipe.task, random_state)
    if (
        verified_label(curve.train[-1], curve.val[-1], process.ceiling) != recipe.diagnosis
        or min(curve.val) < 0
    ):
        return None
    target = _target(rng, kind, curve, process.ceiling)
    if target is None:
        return None
    reading = (curve.train[-1], curve.val[-1], curve.last_rise, target, process.ceiling)
    if step_for(*reading) != kind or not clear_reading(*reading):
        return None
    bias_fix = str(rng.choice(BIAS_FIXES))
    right = bias_fix if kind == "bias_fix" else kind
    offered = ("more_data", "more_regularisation", bias_fix, "better_labels", "ship_it")
    steps = tuple(offered[i] for i in rng.permutation(len(offered)))
    return Instance(recipe, process, n, curve, target, steps, right)


FALLBACK_SEED = 1009  # streams FALLBACK_SEED + offset; the tests check one verifies for every combination


def fallback(diagnosis: str, task: str, kind: str) -> Instance:
    recipe = _recipes(diagnosis, task, kind)[0]
    for offset in range(200):
        instance = _attempt(np.random.default_rng(FALLBACK_SEED + offset), recipe, kind)
        if instance is not None:
            return instance
    raise RuntimeError(f"no verified fallback for {diagnosis}/{task}/{kind}")  # pragma: no cover


def build_instance(rng: np.random.Generator, diagnosis: str, task: str, kind: str) -> Instance:
    """Draw until the curve verifies as ``diagnosis`` and its numbers call for ``kind`` (capped)."""
    recipes = _recipes(diagnosis, task, kind)
    for _ in range(MAX_ATTEMPTS):
        instance = _attempt(rng, recipes[int(rng.integers(len(recipes)))], kind)
        if instance is not None:
            return instance
    return fallback(diagnosis, task, kind)


class LearningCurve(Generator):
    name = "learning-curve"
    title = "Read a learning curve"
    description = (
        "A real learning curve (accuracy or R²) of a model that underfits, overfits or fits well: diagnose "
        "it, then choose the next step that its numbers, a target score and the noise ceiling call for."
    )
    Params = LearningCurveParams
    topics = ("bias-variance", "learning-curves", "model-selection")

    def make(self, rng: np.random.Generator, seed: int, params: LearningCurveParams) -> Problem:
        diagnosis = params.diagnosis or str(rng.choice(DIAGNOSES))
        task = params.task or str(rng.choice(TASKS))
        weights = STEP_WEIGHTS[diagnosis]
        kind = str(rng.choice(list(weights), p=list(weights.values())))
        instance = build_instance(rng, diagnosis, task, kind)
        facts = _Facts.of(instance)
        parts = (
            Part(
                prompt="What does the curve show?",
                answer=ChoiceAnswer(
                    tuple(Option(d, DIAGNOSIS_LABELS[d]) for d in DIAGNOSES),
                    diagnosis,
                    {d: _diagnosis_feedback(d, diagnosis, facts) for d in DIAGNOSES if d != diagnosis},
                ),
                label="diagnosis",
            ),
            Part(
                prompt="What is the best next step?",
                answer=ChoiceAnswer(
                    tuple(Option(s, STEP_LABELS[s]) for s in instance.steps),
                    instance.right_step,
                    {
                        s: _step_feedback(s, instance, facts)
                        for s in instance.steps
                        if s != instance.right_step
                    },
                ),
                label="next step",
            ),
        )
        return self.problem(
            seed,
            params,
            prompt=_prompt(instance, facts),
            parts=parts,
            solution=_solution(instance, facts),
            data=_data(instance),
            table=_table(instance),
            figure=_figure(instance),
        )


# -- text ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """The numbers every sentence quotes."""

    metric: str
    train: float
    val: float
    gap: float
    ceiling: float
    shortfall: float
    target: float
    last_rise: float  # validation change over the last step of the curve
    last_step: str  # "256 -> 320 rows"

    @classmethod
    def of(cls, instance: Instance) -> _Facts:
        curve = instance.curve
        return cls(
            metric="accuracy" if instance.recipe.task == "classification" else "R²",
            train=curve.train[-1],
            val=curve.val[-1],
            gap=curve.gap,
            ceiling=instance.process.ceiling,
            shortfall=instance.process.ceiling - curve.val[-1],
            target=instance.target,
            last_rise=curve.last_rise,
            last_step=f"{curve.sizes[-2]} -> {curve.sizes[-1]} rows",
        )


def _n(value: float) -> str:
    return f"{value:.2f}"


def _r(value: float) -> str:
    """A rise or fall over one step, to 3 decimals like the table."""
    return f"{value:+.3f}"


def _diagnosis_feedback(chosen: str, right: str, f: _Facts) -> str:
    end = f"train {_n(f.train)} vs validation {_n(f.val)}"
    if right == "high_variance":
        what = "a good fit" if chosen == "good_fit" else "underfitting"
        return (
            f"The final gap is {_n(f.gap)} ({end}): the model scores far better on rows it has seen. "
            f"That is overfitting, not {what}."
        )
    if right == "high_bias" and chosen == "high_variance":
        return (
            f"The final gap is only {_n(f.gap)} ({end}): nothing is overfitted. Both curves have met "
            f"{_n(f.shortfall)} below the {_n(f.ceiling)} this data allows."
        )
    if right == "high_bias":
        return (
            f"The curves agree ({end}), but they meet {_n(f.shortfall)} below the {_n(f.ceiling)} "
            "this data allows: the model is too simple, not done."
        )
    if chosen == "high_variance":
        return f"The final gap is only {_n(f.gap)} ({end}): there is no overfitting to speak of."
    return (
        f"Validation is {_n(f.val)}, {_versus_ceiling(f)} the noise sets: there is hardly any bias "
        "left to remove."
    )


def _versus_ceiling(f: _Facts) -> str:
    """Where validation ends against the noise ceiling; a small sample can land a hair above it."""
    if f.shortfall <= 0.005:
        return f"at the {_n(f.ceiling)} ceiling"
    return f"{_n(f.shortfall)} below the {_n(f.ceiling)} ceiling"


def _rise_text(f: _Facts) -> str:
    verb = "rose" if f.last_rise > 0 else "fell" if f.last_rise < 0 else "did not move"
    amount = f" by {abs(f.last_rise):.3f}" if f.last_rise else ""
    return f"validation {verb}{amount} over the last step ({f.last_step})"


def _reasons(f: _Facts) -> dict[str, str]:
    """Each step's test against this curve, as a sentence with its numbers."""
    met = f.val >= f.target
    rising = f.last_rise >= RISE_MIN
    return {
        "ship_it": (
            f"Validation {_n(f.val)} {'meets' if met else 'is below'} the {_n(f.target)} target"
            + ("." if met else f": the model is not done ({_n(f.target - f.val)} short).")
        ),
        "better_labels": (
            f"The target {_n(f.target)} is {'above' if f.target > f.ceiling else 'within'} the "
            f"{_n(f.ceiling)} ceiling the noise sets"
            + (
                ": no model can reach it on these labels; only less noise raises the ceiling."
                if f.target > f.ceiling
                else ": cleaner labels are not what stands in the way."
            )
        ),
        "bias_fix": (
            f"Training scores {_n(f.train)}, "
            + (
                f"below the {_n(f.target)} target: the model can't reach it even on rows it has seen, "
                "so it needs more capacity or a better representation."
                if f.train < f.target
                else f"above the {_n(f.target)} target: the model can already fit well enough; bias is not "
                "what keeps validation short."
            )
        ),
        "more_data": (
            f"{_rise_text(f)[0].upper()}{_rise_text(f)[1:]}, "
            + (
                f"at least the {RISE_MIN} that makes more rows worth collecting: the curve is still climbing."
                if rising
                else f"less than the {RISE_MIN} that makes more rows worth collecting: the curve has stalled."
            )
        ),
    }


def _step_feedback(step: str, instance: Instance, f: _Facts) -> str:
    """Why ``step`` is wrong here, from the first test in the rule's order that rules it out."""
    reasons = _reasons(f)
    right = instance.right_step
    if step == "ship_it":
        return reasons["ship_it"]
    if right == "ship_it":
        return f"{reasons['ship_it']} Nothing needs fixing to meet it."
    if step == "better_labels":
        return reasons["better_labels"]
    if right == "better_labels":
        return (
            f"{reasons['better_labels']} Whatever this step does to the model, validation stays at or below "
            f"{_n(f.ceiling)}."
        )
    if step in BIAS_FIXES:
        return reasons["bias_fix"]
    if right in BIAS_FIXES:
        if step == "more_data":
            return (
                f"{reasons['bias_fix']} More rows make fitting harder, not easier: training scores fall "
                f"towards validation, not up to the target."
            )
        return f"{reasons['bias_fix']} Constraining the model lowers training further."
    if step == "more_data":
        return (
            f"{reasons['more_data']} The gap ({_n(f.gap)}) is what needs closing: constrain the model so it "
            "stops fitting noise."
        )
    return (
        f"{reasons['more_data']} Regularising may close the gap too, but the curve says rows are still "
        f"paying off: {_n(f.gap)} of gap with validation climbing is the textbook case for more data."
    )


def _prompt(instance: Instance, f: _Facts) -> str:
    process = instance.process
    if process.task == "classification":
        noise = (
            f"An audit found that {process.noise:.0%} of labels are wrong, so no model can beat "
            f"**{_n(process.ceiling)} accuracy** on fresh data."
        )
        what = "a binary classifier"
    else:
        noise = (
            f"The target carries measurement noise (sd {fmt(process.noise, 2)}) that caps any model at "
            f"**R² = {_n(process.ceiling)}** on fresh data."
        )
        what = "a regression model"
    return (
        f"You trained {what} on {instance.n_rows} rows with two features and plotted its learning curve "
        f"({CV_FOLDS}-fold cross-validation: mean {f.metric} on the training rows and on the held-out fold, "
        f"at growing training sizes). {noise} The product needs a validation {f.metric} of at least "
        f"**{_n(f.target)}**. More rows can be collected, slowly: the team does it only if validation still "
        f"rose by at least **{RISE_MIN}** over the curve's last step.\n\n"
        "1. What does the curve show: high bias, high variance, or a good fit?\n"
        "2. What is the best next step?"
    )


def _table(instance: Instance) -> Table:
    curve = instance.curve
    return Table(
        headers=("train rows", "train score", "validation score", "gap"),
        rows=tuple(
            (str(s), f"{t:.3f}", f"{v:.3f}", f"{t - v:.3f}")
            for s, t, v in zip(curve.sizes, curve.train, curve.val, strict=True)
        ),
        title=f"learning curve: {_score_label(instance)}, mean of {CV_FOLDS} folds",
    )


def _score_label(instance: Instance) -> str:
    return "accuracy" if instance.recipe.task == "classification" else "R²"


def _figure(instance: Instance) -> Figure:
    curve = instance.curve
    x = tuple(float(s) for s in curve.sizes)
    return Figure(
        title="Learning curve",
        x_label="training rows",
        y_label=_score_label(instance),
        series=(Series("training", x, curve.train), Series("validation", x, curve.val)),
        y_range=(0.0, 1.0),
    )


def _data(instance: Instance) -> dict[str, Any]:
    curve = instance.curve
    return {
        "task": instance.recipe.task,
        "score_name": "accuracy" if instance.recipe.task == "classification" else "r2",
        "train_sizes": list(curve.sizes),
        "train_scores": list(curve.train),
        "val_scores": list(curve.val),
        "ceiling": instance.process.ceiling,
        "target": instance.target,
        "rise_min": RISE_MIN,
        "n_rows": instance.n_rows,
        "cv_folds": CV_FOLDS,
        "steps": list(instance.steps),
    }


def _solution(instance: Instance, f: _Facts) -> str:
    diagnosis = instance.recipe.diagnosis
    right = instance.right_step
    size = instance.curve.sizes[-1]
    lines = [
        f"At {size} training rows: train {f.metric} **{_n(f.train)}**, validation **{_n(f.val)}**, gap "
        f"**{_n(f.gap)}**. The noise ceiling is **{_n(f.ceiling)}**, so validation is {_versus_ceiling(f)}."
    ]
    if diagnosis == "high_variance":
        lines.append(
            f"A gap of {_n(f.gap)} is **high variance**: the model fits the rows it saw (train "
            f"{_n(f.train)}) far better than new ones."
        )
    elif diagnosis == "high_bias":
        lines.append(
            f"The curves have met (gap {_n(f.gap)}) far below the ceiling: **high bias**. The model is "
            "too simple for the pattern; it misses even on the rows it trained on."
        )
    else:
        lines.append(
            f"A small gap and validation {_versus_ceiling(f)}: a **good fit**. What is left is noise; "
            "better labels, not a better model, would raise the ceiling."
        )
    reasons = _reasons(f)
    chain = [reasons["ship_it"]]
    if right != "ship_it":
        chain.append(reasons["better_labels"])
    if right not in ("ship_it", "better_labels"):
        chain.append(reasons["bias_fix"])
    if right in ("more_data", "more_regularisation"):
        chain.append(reasons["more_data"])
    lines.append(
        "Next step, checked in order: " + " ".join(f"({i + 1}) {text}" for i, text in enumerate(chain))
    )
    lines.append(f"Best next step: **{STEP_LABELS[right].lower()}**.")
    recipe, process = instance.recipe, instance.process
    rules = RULE_NAMES if process.task == "classification" else REGRESSION_RULE_NAMES
    lines.append(f"Behind the curve: {MODEL_NAMES[recipe.model]}; the truth is {rules[process.rule]}.")
    lines.append(
        "Interview insight: read the *gap* for variance and the *level against what is achievable* for "
        "bias; then ask what the target needs. A diagnosis alone does not pick the step: an overfit "
        "model may already be good enough, and no model beats the noise ceiling."
    )
    return "\n\n".join(lines)
