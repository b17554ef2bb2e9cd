"""`learning-curve`: diagnose a real learning curve, then pick the next step.

Each instance builds a small 2-feature dataset and a scikit-learn model that really is high-bias (a
straight line or a stump on a curved truth), high-variance (an unpruned tree, 1-nearest-neighbour or
a deep tree on noisy labels) or a good fit, and computes its curve with
``sklearn.model_selection.learning_curve`` (accuracy or R², both on a 0-1 scale). We made the noise,
so we know the *ceiling*: the best score any model can reach on fresh data. The label is verified
against the curve's end point:

* ``high_variance``: final gap (train - validation) >= 0.15
* ``good_fit``:      final gap <= 0.06 and validation within 0.08 of the ceiling
* ``high_bias``:     final gap <= 0.08 and validation >= 0.15 below the ceiling

Part 2 offers one bias fix, one variance fix and "ship it", so exactly one option is right. Every
offered fix is then *applied* (4x the rows, a richer feature, a more flexible or a more constrained
model) and scored on fresh rows; the instance is kept only if the right step helps by >= 0.02 and
beats every other offered step by >= 0.02 (for a good fit: nothing helps by 0.03 or more).

Curves that are ambiguous, dip below 0 (off the plot), or whose fixes don't measure as claimed are
redrawn with the same rng, so instances stay deterministic per seed; after ``MAX_ATTEMPTS`` a
known-good configuration (fixed seed) is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

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
MIN_FIX_MARGIN = 0.02  # the right step must gain this much, and beat the other steps by this much
GOOD_FIT_MAX_GAIN = 0.03  # for a good fit, no step may gain more than this

MAX_ATTEMPTS = 6
CV_FOLDS = 5
TRAIN_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)
MORE_DATA_FACTOR = 4
FRESH_ROWS = 2000  # fixes are scored on this many new rows: far less noisy than 5 small folds

BIAS_FIXES = ("more_capacity", "better_features")
VARIANCE_FIXES = ("more_data", "more_regularisation")
STEP_ORDER = ("more_data", "more_capacity", "better_features", "more_regularisation", "ship_it")
STEP_LABELS = {
    "more_data": "Collect more training rows",
    "more_capacity": "Use a more flexible model (more capacity)",
    "better_features": "Engineer a richer feature that captures the pattern",
    "more_regularisation": "Regularise / constrain the model more",
    "ship_it": "Nothing major: it is about as good as this data allows, so ship it",
}
DIAGNOSIS_LABELS = {
    "high_bias": "High bias (underfitting)",
    "high_variance": "High variance (overfitting)",
    "good_fit": "Good fit",
}


@dataclass(frozen=True, slots=True)
class Recipe:
    """A model + data-generating process that produces one diagnosis."""

    diagnosis: str
    task: str
    model: str  # estimator key, see ``_estimator``
    rules: tuple[str, ...]  # decision boundaries (classification) or target functions (regression)
    rows: tuple[int, int]
    noise: tuple[float, float]  # label-flip rate (classification) or the R² ceiling (regression)
    fixes: tuple[str, ...] = ()  # the steps that fix this recipe's problem (none for a good fit)


RECIPES = (
    Recipe("high_bias", "classification", "logistic", ("circle", "xor"), (240, 400), (0.02, 0.06), BIAS_FIXES),
    Recipe("high_bias", "classification", "stump", ("sine", "circle"), (240, 400), (0.02, 0.05), BIAS_FIXES),
    Recipe("high_variance", "classification", "tree", ("sine", "circle"), (250, 350), (0.2, 0.3),
           ("more_regularisation",)),
    Recipe("high_variance", "classification", "1nn", ("sine", "circle", "xor"), (250, 350), (0.2, 0.3),
           ("more_regularisation",)),
    # no XOR for trees: greedy splits can't see it, so a tree's behaviour there is erratic
    Recipe("high_variance", "classification", "tree7", ("sine", "circle"), (120, 200), (0.15, 0.25),
           ("more_data",)),
    Recipe("good_fit", "classification", "logistic", ("linear",), (240, 400), (0.02, 0.06)),
    Recipe("good_fit", "classification", "knn15", ("circle", "sine"), (500, 700), (0.02, 0.05)),
    Recipe("high_bias", "regression", "linear", ("sine", "bump"), (160, 300), (0.85, 0.95), BIAS_FIXES),
    Recipe("high_bias", "regression", "stump", ("sine",), (160, 300), (0.85, 0.95), ("more_capacity",)),
    Recipe("high_variance", "regression", "tree", ("sine", "bump"), (150, 250), (0.75, 0.85),
           ("more_regularisation",)),
    Recipe("high_variance", "regression", "1nn", ("sine", "bump"), (150, 250), (0.75, 0.85),
           ("more_regularisation",)),
    Recipe("high_variance", "regression", "tree7", ("sine", "bump"), (100, 160), (0.75, 0.85), ("more_data",)),
    Recipe("good_fit", "regression", "linear", ("linear",), (160, 300), (0.8, 0.95)),
    Recipe("good_fit", "regression", "knn15", ("sine", "bump"), (250, 350), (0.85, 0.95)),
)

# What "more capacity" / "more regularisation" mean for each model (None: the model is at the end of
# that ladder already, so the step can't be applied and its feedback quotes the curve instead).
CAPACITY_UP = {"logistic": "knn15", "linear": "knn15", "stump": "tree5", "tree7": "tree",
               "knn15": "knn3", "tree": None, "1nn": None}
CAPACITY_DOWN = {"logistic": "logistic_strong", "linear": "ridge_strong", "stump": None,
                 "tree7": "tree3", "knn15": "knn50", "tree": "tree_leaf10", "1nn": "knn15"}

MODEL_NAMES = {
    "logistic": "a logistic regression (a straight decision boundary)",
    "logistic_strong": "a logistic regression with a strong penalty (C = 0.01)",
    "linear": "a linear regression",
    "ridge_strong": "a ridge regression with a strong penalty (alpha = 100)",
    "stump": "a depth-1 decision tree (a stump: one split)",
    "tree3": "a depth-3 decision tree",
    "tree5": "a depth-5 decision tree with at least 5 rows per leaf",
    "tree7": "a depth-7 decision tree",
    "tree": "an unpruned decision tree (grown until every leaf is pure)",
    "tree_leaf10": "a decision tree with at least 10 rows per leaf",
    "1nn": "1-nearest-neighbour",
    "knn3": "3-nearest-neighbours",
    "knn15": "15-nearest-neighbours",
    "knn50": "50-nearest-neighbours",
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
ENGINEERED_NAMES = {
    ("classification", "circle"): "x1² + x2²",
    ("classification", "xor"): "x1·x2",
    ("classification", "sine"): "x2 − 0.6·sin(3·x1)",
    ("classification", "linear"): "x1 + 0.5·x2",
    ("regression", "sine"): "sin(3·x1)",
    ("regression", "bump"): "exp(−3·(x1² + x2²))",
    ("regression", "linear"): "1.5·x1 − 0.8·x2",
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

    def engineered(self, X: np.ndarray) -> np.ndarray:
        """X plus the feature a domain expert would add: the one the truth is simple in."""
        x1, x2 = X[:, 0], X[:, 1]
        match (self.task, self.rule):
            case (_, "circle"):
                feature = x1**2 + x2**2
            case (_, "xor"):
                feature = x1 * x2
            case ("classification", "sine"):
                feature = x2 - 0.6 * np.sin(3 * x1)
            case ("classification", "linear"):
                feature = x1 + 0.5 * x2
            case ("regression", "sine"):
                feature = np.sin(3 * x1)
            case ("regression", "bump"):
                feature = np.exp(-3 * (x1**2 + x2**2))
            case _:
                feature = 1.5 * x1 - 0.8 * x2
        return np.column_stack([X, feature])


def _process(rng: np.random.Generator, recipe: Recipe) -> Process:
    rule = str(rng.choice(recipe.rules))
    if recipe.task == "classification":
        return Process(recipe.task, rule, float(np.round(rng.uniform(*recipe.noise), 2)))
    ceiling = float(rng.uniform(*recipe.noise))
    sd = np.sqrt(_signal_variance(rule) * (1 - ceiling) / ceiling)
    return Process(recipe.task, rule, float(np.round(sd, 2)))


# -- models ----------------------------------------------------------------------------------------


def _estimator(key: str, task: str, random_state: int) -> Any:
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    tree = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
    knn = KNeighborsClassifier if task == "classification" else KNeighborsRegressor
    if key.startswith("knn") or key == "1nn":
        return knn(n_neighbors=1 if key == "1nn" else int(key[3:]))
    trees = {"stump": {"max_depth": 1}, "tree3": {"max_depth": 3},
             "tree5": {"max_depth": 5, "min_samples_leaf": 5}, "tree7": {"max_depth": 7}, "tree": {},
             "tree_leaf10": {"min_samples_leaf": 10}}
    if key in trees:
        return tree(random_state=random_state, **trees[key])
    # newton-cholesky: ~8x faster than the default lbfgs on two features, same solution
    linear = {"logistic": lambda: LogisticRegression(solver="newton-cholesky"),
              "logistic_strong": lambda: LogisticRegression(C=0.01, solver="newton-cholesky"),
              "linear": lambda: LinearRegression(), "ridge_strong": lambda: Ridge(alpha=100.0)}
    return linear[key]()


def _splitter(task: str, random_state: int) -> Any:
    from sklearn.model_selection import KFold, StratifiedKFold

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


def _learning_curve(estimator: Any, X: np.ndarray, y: np.ndarray, task: str, random_state: int) -> Curve:
    from sklearn.model_selection import learning_curve

    sizes, train, val = learning_curve(
        estimator, X, y,
        train_sizes=np.array(TRAIN_FRACTIONS),
        cv=_splitter(task, random_state),
        scoring="accuracy" if task == "classification" else "r2",
        n_jobs=1,
    )
    return Curve(tuple(int(s) for s in sizes), tuple(float(v) for v in train.mean(axis=1)),
                 tuple(float(v) for v in val.mean(axis=1)))


@dataclass(frozen=True, slots=True)
class Effect:
    """A next step applied to the instance and scored on fresh rows (None: not applicable)."""

    step: str
    model: str | None  # the model key after the step
    score: float | None


def _apply_steps(steps: tuple[str, ...], model: str, process: Process, X: np.ndarray, y: np.ndarray,
                 rng: np.random.Generator, random_state: int) -> tuple[float, dict[str, Effect]]:
    """Fresh-row score of the model as is, and of each step applied to it.

    ``score`` is sklearn's default: accuracy for classifiers, R² for regressors, as on the curve.
    """
    task = process.task
    X_fresh, y_fresh = process.draw(rng, FRESH_ROWS)
    base = float(_estimator(model, task, random_state).fit(X, y).score(X_fresh, y_fresh))
    effects: dict[str, Effect] = {}
    for step in steps:
        if step == "ship_it":
            continue
        if step == "more_data":
            X_more, y_more = process.draw(rng, MORE_DATA_FACTOR * len(y))
            score = _estimator(model, task, random_state).fit(X_more, y_more).score(X_fresh, y_fresh)
            effects[step] = Effect(step, model, float(score))
        elif step == "better_features":
            fitted = _estimator(model, task, random_state).fit(process.engineered(X), y)
            effects[step] = Effect(step, model, float(fitted.score(process.engineered(X_fresh), y_fresh)))
        else:
            key = (CAPACITY_UP if step == "more_capacity" else CAPACITY_DOWN)[model]
            score = None if key is None else _estimator(key, task, random_state).fit(X, y).score(X_fresh, y_fresh)
            effects[step] = Effect(step, key, None if score is None else float(score))
    return base, effects


def steps_verified(diagnosis: str, right: str, base: float, effects: dict[str, Effect]) -> bool:
    """Exactly one step is best, as measured: the right one helps and beats the rest by a margin."""
    gains = {step: effect.score - base for step, effect in effects.items() if effect.score is not None}
    if diagnosis == "good_fit":
        return all(gain < GOOD_FIT_MAX_GAIN for gain in gains.values())
    if right not in gains or gains[right] < MIN_FIX_MARGIN:
        return False
    return all(gains[right] - gain >= MIN_FIX_MARGIN for step, gain in gains.items() if step != right)


# -- building an instance ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instance:
    recipe: Recipe
    process: Process
    n_rows: int
    curve: Curve
    steps: tuple[str, ...]  # the offered next steps, in display order
    right_step: str
    base_score: float  # the model as is, on fresh rows
    effects: dict[str, Effect]


def _recipes(diagnosis: str, task: str) -> list[Recipe]:
    return [r for r in RECIPES if r.diagnosis == diagnosis and r.task == task]


def _offer(rng: np.random.Generator, recipe: Recipe) -> tuple[tuple[str, ...], str]:
    """One bias fix, one variance fix and ship_it; the recipe's own fix is among them."""
    bias_fix = str(rng.choice(BIAS_FIXES))
    variance_fix = str(rng.choice(VARIANCE_FIXES))
    if recipe.diagnosis == "high_bias":
        bias_fix = bias_fix if bias_fix in recipe.fixes else recipe.fixes[0]
    elif recipe.diagnosis == "high_variance":
        variance_fix = recipe.fixes[0]
    right = {"high_bias": bias_fix, "high_variance": variance_fix, "good_fit": "ship_it"}[recipe.diagnosis]
    return tuple(s for s in STEP_ORDER if s in (bias_fix, variance_fix, "ship_it")), right


def _attempt(rng: np.random.Generator, recipe: Recipe) -> Instance | None:
    """Build one candidate instance; None when its curve or its steps fail verification."""
    process = _process(rng, recipe)
    n = int(rng.integers(recipe.rows[0], recipe.rows[1] + 1))
    steps, right = _offer(rng, recipe)
    random_state = int(rng.integers(2**31))
    X, y = process.draw(rng, n)
    curve = _learning_curve(_estimator(recipe.model, recipe.task, random_state), X, y, recipe.task, random_state)
    if verified_label(curve.train[-1], curve.val[-1], process.ceiling) != recipe.diagnosis or min(curve.val) < 0:
        return None
    base, effects = _apply_steps(steps, recipe.model, process, X, y, rng, random_state)
    if not steps_verified(recipe.diagnosis, right, base, effects):
        return None
    return Instance(recipe, process, n, curve, steps, right, base, effects)


FALLBACK_SEED = 1009  # with FALLBACK_SEED + offset, the first recipe per (diagnosis, task) verifies


def _fallback(diagnosis: str, task: str) -> Instance:
    recipe = _recipes(diagnosis, task)[0]
    for offset in range(50):
        instance = _attempt(np.random.default_rng(FALLBACK_SEED + offset), recipe)
        if instance is not None:
            return instance
    raise RuntimeError(f"no verified fallback for {diagnosis}/{task}")  # pragma: no cover


def build_instance(rng: np.random.Generator, diagnosis: str, task: str) -> Instance:
    """Draw until the curve and the steps verify as ``diagnosis`` (capped; then a known-good config)."""
    recipes = _recipes(diagnosis, task)
    for _ in range(MAX_ATTEMPTS):
        instance = _attempt(rng, recipes[int(rng.integers(len(recipes)))])
        if instance is not None:
            return instance
    return _fallback(diagnosis, task)


class LearningCurve(Generator):
    name = "learning-curve"
    title = "Read a learning curve"
    description = (
        "A real scikit-learn learning curve (accuracy or R²) of a model that underfits, overfits or fits well: "
        "diagnose it, then choose the next step. The label is verified against the curve and every offered "
        "step is applied and measured."
    )
    Params = LearningCurveParams
    topics = ("bias-variance", "learning-curves", "model-selection")

    def make(self, rng: np.random.Generator, seed: int, params: LearningCurveParams) -> Problem:
        diagnosis = params.diagnosis or str(rng.choice(DIAGNOSES))
        task = params.task or str(rng.choice(TASKS))
        instance = build_instance(rng, diagnosis, task)
        facts = _Facts.of(instance)
        parts = (
            Part(
                prompt="What does the curve show?",
                answer=ChoiceAnswer(
                    tuple(Option(d, DIAGNOSIS_LABELS[d]) for d in DIAGNOSES), diagnosis,
                    {d: _diagnosis_feedback(d, diagnosis, facts) for d in DIAGNOSES if d != diagnosis},
                ),
                label="diagnosis",
            ),
            Part(
                prompt="What is the best next step?",
                answer=ChoiceAnswer(
                    tuple(Option(s, STEP_LABELS[s]) for s in instance.steps), instance.right_step,
                    {s: _step_feedback(s, instance, facts) for s in instance.steps if s != instance.right_step},
                ),
                label="next step",
            ),
        )
        return self.problem(
            seed, params,
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
    last_gain: float  # validation change over the last step of the curve
    last_step: str  # "256 -> 320 rows"

    @classmethod
    def of(cls, instance: Instance) -> _Facts:
        curve = instance.curve
        return cls(
            metric="accuracy" if instance.recipe.task == "classification" else "R²",
            train=curve.train[-1], val=curve.val[-1], gap=curve.gap, ceiling=instance.process.ceiling,
            shortfall=instance.process.ceiling - curve.val[-1], last_gain=curve.val[-1] - curve.val[-2],
            last_step=f"{curve.sizes[-2]} -> {curve.sizes[-1]} rows",
        )


def _n(value: float) -> str:
    return f"{value:.2f}"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _diagnosis_feedback(chosen: str, right: str, f: _Facts) -> str:
    end = f"train {_n(f.train)} vs validation {_n(f.val)}"
    if right == "high_variance":
        what = "a good fit" if chosen == "good_fit" else "underfitting"
        return (f"The final gap is {_n(f.gap)} ({end}): the model scores far better on rows it has seen. "
                f"That is overfitting, not {what}.")
    if right == "high_bias" and chosen == "high_variance":
        return (f"The final gap is only {_n(f.gap)} ({end}): nothing is overfitted. Both curves have met "
                f"{_n(f.shortfall)} below the {_n(f.ceiling)} this data allows.")
    if right == "high_bias":
        return (f"The curves agree ({end}), but they meet {_n(f.shortfall)} below the {_n(f.ceiling)} "
                "this data allows: the model is too simple, not done.")
    if chosen == "high_variance":
        return f"The final gap is only {_n(f.gap)} ({end}): there is no overfitting to speak of."
    return (f"Validation is {_n(f.val)}, {_versus_ceiling(f)} the noise sets: there is hardly any bias "
            "left to remove.")


def _versus_ceiling(f: _Facts) -> str:
    """Where validation ends against the noise ceiling; a small sample can land a hair above it."""
    if f.shortfall <= 0.005:
        return f"at the {_n(f.ceiling)} ceiling"
    return f"{_n(f.shortfall)} below the {_n(f.ceiling)} ceiling"


def _step_effect(instance: Instance, step: str) -> str:
    """'0.71 with 4x the rows' (empty when the step can't be applied to this model)."""
    effect = instance.effects.get(step)
    if effect is None or effect.score is None:
        return ""
    how = {"more_data": f"with {MORE_DATA_FACTOR}x the rows",
           "better_features": f"with the feature {ENGINEERED_NAMES[(instance.process.task, instance.process.rule)]}"
           }.get(step, f"as {MODEL_NAMES[effect.model or '']}")
    return f"{_n(effect.score)} {how}"


def _measured(instance: Instance, step: str) -> str:
    """' Measured on 2,000 fresh rows: 0.62 as is, 0.63 with 4x the rows.' (or empty)."""
    effect = _step_effect(instance, step)
    return f" Measured on {FRESH_ROWS:,} fresh rows: {_n(instance.base_score)} as is, {effect}." if effect else ""


def _step_feedback(step: str, instance: Instance, f: _Facts) -> str:
    diagnosis = instance.recipe.diagnosis
    measured = _measured(instance, step)
    if step == "ship_it":
        what = "overfits" if diagnosis == "high_variance" else "underfits"
        return (f"Validation is {_n(f.val)} while this data allows {_n(f.ceiling)}: {_n(f.shortfall)} left on "
                f"the table, and the model clearly {what} (final gap {_n(f.gap)}).")
    if diagnosis == "high_bias":
        if step == "more_data":
            return (f"The curves have converged: validation moved {_signed(f.last_gain)} over the last step "
                    f"({f.last_step}) and sits within {_n(f.gap)} of training. More rows can't help a model "
                    f"that can't fit.{measured}")
        return (f"Training scores only {_n(f.train)}: the model can't fit even the rows it sees, and "
                f"constraining it lowers both curves.{measured}")
    if diagnosis == "high_variance":  # only a bias fix or ship_it can be wrong here
        more = "a richer feature won't stop it" if step == "better_features" else "more flexibility only helps it"
        return (f"Training already scores {_n(f.train)} against {_n(f.val)} on validation: the model memorises "
                f"noise, and {more}.{measured}")
    if step == "more_regularisation":
        return (f"There is no gap to close (train {_n(f.train)}, validation {_n(f.val)}): more regularisation "
                f"can only add bias.{measured}")
    return (f"Validation is within {_n(f.shortfall)} of the {_n(f.ceiling)} ceiling the noise sets: there is "
            f"little left to win.{measured}")


def _prompt(instance: Instance, f: _Facts) -> str:
    process = instance.process
    if process.task == "classification":
        noise = (f"An audit found that {process.noise:.0%} of labels are wrong, so no model can beat "
                 f"**{_n(process.ceiling)} accuracy** on fresh data.")
        what = "a binary classifier"
    else:
        noise = (f"The target carries measurement noise (sd {fmt(process.noise, 2)}) that caps any model at "
                 f"**R² = {_n(process.ceiling)}** on fresh data.")
        what = "a regression model"
    return (
        f"You trained {what} on {instance.n_rows} rows with two features and plotted its learning curve "
        f"({CV_FOLDS}-fold cross-validation: mean {f.metric} on the training rows and on the held-out fold, "
        f"at growing training sizes). {noise}\n\n"
        "1. What does the curve show: high bias, high variance, or a good fit?\n"
        "2. What is the best next step?"
    )


def _table(instance: Instance) -> Table:
    curve = instance.curve
    return Table(
        headers=("train rows", "train score", "validation score", "gap"),
        rows=tuple((str(s), f"{t:.3f}", f"{v:.3f}", f"{t - v:.3f}")
                   for s, t, v in zip(curve.sizes, curve.train, curve.val, strict=True)),
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
        "n_rows": instance.n_rows,
        "cv_folds": CV_FOLDS,
        "steps": list(instance.steps),
        "fresh_scores": {"as_is": instance.base_score,
                         **{s: e.score for s, e in instance.effects.items() if e.score is not None}},
    }


def _solution(instance: Instance, f: _Facts) -> str:
    diagnosis = instance.recipe.diagnosis
    right = instance.right_step
    size = instance.curve.sizes[-1]
    lines = [f"At {size} training rows: train {f.metric} **{_n(f.train)}**, validation **{_n(f.val)}**, gap "
             f"**{_n(f.gap)}**. The noise ceiling is **{_n(f.ceiling)}**, so validation is {_versus_ceiling(f)}."]
    if diagnosis == "high_variance":
        lines.append(f"A gap of {_n(f.gap)} is **high variance**: the model fits the rows it saw (train "
                     f"{_n(f.train)}) far better than new ones.")
    elif diagnosis == "high_bias":
        lines.append(f"The curves have met (gap {_n(f.gap)}) far below the ceiling: **high bias**. Validation moved "
                     f"{_signed(f.last_gain)} over the last step ({f.last_step}): more rows won't lift it.")
    else:
        lines.append(f"A small gap and validation {_versus_ceiling(f)}: a **good fit**. What is "
                     "left is noise; better labels, not a better model, would raise the ceiling.")
    if right == "ship_it":
        tried = "; ".join(_step_effect(instance, s) for s in instance.steps if s != right)
        lines.append(f"Best next step: **ship it**. The alternatives, tried on {FRESH_ROWS:,} fresh rows "
                     f"({_n(instance.base_score)} as is): {tried}.")
    else:
        lines.append(f"Best next step: **{STEP_LABELS[right].lower()}**.{_measured(instance, right)}")
    recipe, process = instance.recipe, instance.process
    rules = RULE_NAMES if process.task == "classification" else REGRESSION_RULE_NAMES
    lines.append(f"Behind the curve: {MODEL_NAMES[recipe.model]}; the truth is {rules[process.rule]}.")
    lines.append("Interview insight: read the *gap* for variance and the *level against what is achievable* for "
                 "bias; without a ceiling (human or Bayes error), low-and-flat curves can't be called.")
    return "\n\n".join(lines)
