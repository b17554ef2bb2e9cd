"""`tree-split`: Gini impurity, entropy and the impurity decrease (information gain) of a candidate split.

Class counts in a node and in the two children of a yes/no split are shown; the question is the
parent's impurity, the children's weighted impurity, the gain, or which of two candidate splits a tree
would choose. Values come from a fitted ``sklearn.tree.DecisionTreeClassifier`` (``tree_.impurity`` and
``tree_.feature``; rebuilt by :mod:`generators._tree`, so making a problem does not import scikit-learn) on rows
that realise the counts, with one binary feature per candidate split; entropy is in bits, as in scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators._tree import fit_tree
from generators.base import ChoiceAnswer, Generator, NumberAnswer, Option, Params, Part, Problem, Table, fmt

Criterion = Literal["gini", "entropy"]
Ask = Literal["parent", "children", "gain", "best-split"]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str
    items: str
    labels: tuple[str, ...]
    splits: tuple[str, ...]  # yes/no questions; "yes" rows go left


SCENARIOS = (
    Scenario(
        "A churn tree is being grown on subscribers",
        "subscribers",
        ("Stay", "Churn"),
        ("contract is month-to-month", "tenure < 12 months", "3+ support calls last quarter"),
    ),
    Scenario(
        "A credit tree is being grown on past loans",
        "loans",
        ("Repaid", "Default"),
        ("debt-to-income > 40%", "missed a payment last year", "income < $40k"),
    ),
    Scenario(
        "A spam tree is being grown on emails",
        "emails",
        ("Ham", "Spam"),
        ("contains the word 'free'", "sender not in contacts", "more than 3 links"),
    ),
    Scenario(
        "A tree is being grown on iris flowers",
        "flowers",
        ("Setosa", "Versicolor", "Virginica"),
        ("petal length < 2.5 cm", "petal width < 1.7 cm", "sepal length < 5.8 cm"),
    ),
    Scenario(
        "A triage tree is being grown on emergency visits",
        "visits",
        ("Low", "Medium", "High"),
        ("temperature ≥ 38.5 °C", "age ≥ 65", "heart rate > 110"),
    ),
)

CRITERION_NAMES = {"gini": "Gini impurity", "entropy": "entropy (in bits, log base 2)"}
GAIN_NAMES = {"gini": "Gini decrease", "entropy": "information gain"}


class TreeSplitParams(Params):
    criterion: Criterion | None = None  # None: random per seed
    ask: Ask | None = None  # None: random per seed


@dataclass(frozen=True, slots=True)
class Split:
    question: str
    left: np.ndarray  # class counts of the "yes" child
    right: np.ndarray

    @property
    def parent(self) -> np.ndarray:
        return self.left + self.right


@dataclass(frozen=True, slots=True)
class FittedSplit:
    parent: float
    left: float
    right: float
    weighted: float
    gain: float


def fit_splits(
    parent: np.ndarray, splits: list[Split], criterion: str, seed: int
) -> tuple[list[FittedSplit], int]:
    """Impurities per candidate split from depth-1 trees, and the index of the split a tree picks among all.

    Rows realise the parent's class counts; feature j is 1 on the rows that answer "yes" to split j. The trees
    are scikit-learn's ``DecisionTreeClassifier(criterion, max_depth=1, random_state=seed)`` as
    :mod:`generators._tree` rebuilds them without importing scikit-learn (the tests compare the two).
    """
    y = np.repeat(np.arange(len(parent)), parent)
    features = np.column_stack([_yes_column(parent, s.left) for s in splits])
    fitted = []
    for j in range(len(splits)):
        t = fit_tree(
            features[:, [j]], y, classification=True, max_depth=1, random_state=seed, criterion=criterion
        )
        # Node 0 is the root; its children are nodes 1 and 2, "x <= 0.5" (the "no" rows) on the left.
        no_child, yes_child = t.left[0], t.right[0]
        n, n_no, n_yes = t.n_samples[0], t.n_samples[no_child], t.n_samples[yes_child]
        weighted = (n_yes * t.impurity[yes_child] + n_no * t.impurity[no_child]) / n
        fitted.append(
            FittedSplit(
                float(t.impurity[0]),
                float(t.impurity[yes_child]),
                float(t.impurity[no_child]),
                float(weighted),
                float(t.impurity[0] - weighted),
            )
        )
    both = fit_tree(features, y, classification=True, max_depth=1, random_state=seed, criterion=criterion)
    return fitted, both.feature[0]


def _yes_column(parent: np.ndarray, left: np.ndarray) -> np.ndarray:
    """1 for the first ``left[k]`` rows of each class k (rows are grouped by class), else 0."""
    return np.concatenate(
        [np.r_[np.ones(l_k), np.zeros(p_k - l_k)] for p_k, l_k in zip(parent, left, strict=True)]
    )


def impurity(counts: np.ndarray, criterion: str) -> float:
    """Textbook impurity for the worked solution (the expected values come from the fitted tree)."""
    p = counts[counts > 0] / counts.sum()
    return float(1 - (p**2).sum()) if criterion == "gini" else float(-(p * np.log2(p)).sum())


def _parent_counts(rng: np.random.Generator, k: int) -> np.ndarray:
    return rng.integers(6, 41, size=k)


def _split(rng: np.random.Generator, parent: np.ndarray, question: str) -> Split:
    """Each class goes "yes" with its own probability, so the split is informative but imperfect."""
    while True:
        p_yes = rng.uniform(0.08, 0.92, size=len(parent))
        left = rng.binomial(parent, p_yes)
        right = parent - left
        if left.sum() >= 3 and right.sum() >= 3:
            return Split(question, left, right)


def _gain_ok(parent: np.ndarray, split: Split, criterion: str) -> float:
    n = parent.sum()
    weighted = (
        split.left.sum() * impurity(split.left, criterion)
        + split.right.sum() * impurity(split.right, criterion)
    ) / n
    return impurity(parent, criterion) - weighted


class TreeSplit(Generator):
    name = "tree-split"
    title = "Decision-tree splits: Gini, entropy, information gain"
    description = (
        "Gini impurity or entropy of a node, the weighted impurity of a split's children, the impurity "
        "decrease (information gain), or which of two candidate splits a decision tree would choose."
    )
    Params = TreeSplitParams
    topics = ("trees", "impurity")

    def make(self, rng: np.random.Generator, seed: int, params: TreeSplitParams) -> Problem:
        criterion = params.criterion or str(rng.choice(["gini", "entropy"]))
        ask = params.ask or str(rng.choice(["parent", "children", "gain", "gain", "best-split"]))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        parent = _parent_counts(rng, len(scenario.labels))
        count = 2 if ask == "best-split" else 1
        questions = [scenario.splits[int(i)] for i in rng.permutation(len(scenario.splits))[:count]]
        while True:
            splits = [_split(rng, parent, q) for q in questions]
            gains = [_gain_ok(parent, s, criterion) for s in splits]
            # Every gain clearly positive; two candidates clearly apart, so the tree's choice is not a tie.
            if min(gains) >= 0.02 and (count == 1 or abs(gains[0] - gains[1]) >= 0.02):
                break
        fitted, chosen = fit_splits(parent, splits, criterion, int(rng.integers(2**31)))
        if ask == "best-split":
            return self._best(seed, params, scenario, criterion, parent, splits, fitted, chosen)
        return self._value(seed, params, scenario, criterion, ask, parent, splits[0], fitted[0])

    def _value(
        self,
        seed: int,
        params: TreeSplitParams,
        scenario: Scenario,
        criterion: str,
        ask: str,
        parent: np.ndarray,
        split: Split,
        fit: FittedSplit,
    ) -> Problem:
        name, gain_name = CRITERION_NAMES[criterion], GAIN_NAMES[criterion]
        asked = {
            "parent": f"{name} of the parent node",
            "children": f"weighted {name} of the two children",
            "gain": f"{gain_name} of the split ({'entropy in bits' if criterion == 'entropy' else 'Gini'})",
        }[ask]
        value = {"parent": fit.parent, "children": fit.weighted, "gain": fit.gain}[ask]
        prompt = (
            f"{scenario.context}. A node holds {int(parent.sum())} {scenario.items}; the candidate split "
            f"*{split.question}?* sends them to two children as below.\n\n"
            f"What is the **{asked}**? Answer as a number to 3 decimals."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(prompt=f"{asked[0].upper()}{asked[1:]}?", answer=NumberAnswer(value, decimals=3)),),
            solution=_solution(scenario, criterion, ask, parent, split, fit),
            data={
                "ask": ask,
                "criterion": criterion,
                "labels": list(scenario.labels),
                "parent": parent.tolist(),
                "split": split.question,
                "left": split.left.tolist(),
                "right": split.right.tolist(),
                "impurity": {
                    "parent": fit.parent,
                    "left": fit.left,
                    "right": fit.right,
                    "weighted_children": fit.weighted,
                    "gain": fit.gain,
                },
            },
            table=_table(scenario, parent, [split]),
        )

    def _best(
        self,
        seed: int,
        params: TreeSplitParams,
        scenario: Scenario,
        criterion: str,
        parent: np.ndarray,
        splits: list[Split],
        fitted: list[FittedSplit],
        chosen: int,
    ) -> Problem:
        gain_name = GAIN_NAMES[criterion]
        options = tuple(
            Option(f"split-{j + 1}", f"Split {j + 1}: {s.question}") for j, s in enumerate(splits)
        )
        other = 1 - chosen
        feedback = {
            f"split-{other + 1}": f"Its {gain_name} is {fmt(fitted[other].gain, 4)}, below split "
            f"{chosen + 1}'s {fmt(fitted[chosen].gain, 4)}."
        }
        prompt = (
            f'{scenario.context} with criterion="{criterion}". A node holds {int(parent.sum())} '
            f"{scenario.items}, and two candidate splits would divide them as below.\n\n"
            "Which split does the tree choose?"
        )
        lines = [f"Parent {CRITERION_NAMES[criterion]}: {fmt(fitted[0].parent, 4)}."]
        for j, (s, f) in enumerate(zip(splits, fitted, strict=True)):
            nl, nr, n = int(s.left.sum()), int(s.right.sum()), int(parent.sum())
            lines.append(
                f"Split {j + 1} ({s.question}): yes-child {fmt(f.left, 4)} on {nl} rows, no-child "
                f"{fmt(f.right, 4)} on {nr} rows → weighted ({nl} × {fmt(f.left, 4)} + {nr} × "
                f"{fmt(f.right, 4)}) / {n} = {fmt(f.weighted, 4)}; {gain_name} = {fmt(f.gain, 4)}"
            )
        lines.append(
            f"The tree takes the split with the larger {gain_name}: **Split {chosen + 1}** "
            f"({splits[chosen].question})."
        )
        lines.append(
            "Greedy: the tree picks the best split for this node only; it never looks ahead to what the "
            "children could do next."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(
                Part(prompt="Which split?", answer=ChoiceAnswer(options, f"split-{chosen + 1}", feedback)),
            ),
            solution="\n\n".join(lines),
            data={
                "ask": "best-split",
                "criterion": criterion,
                "labels": list(scenario.labels),
                "parent": parent.tolist(),
                "splits": [
                    {
                        "question": s.question,
                        "left": s.left.tolist(),
                        "right": s.right.tolist(),
                        "gain": f.gain,
                    }
                    for s, f in zip(splits, fitted, strict=True)
                ],
                "chosen": chosen + 1,
            },
            table=_table(scenario, parent, splits),
        )


def _table(scenario: Scenario, parent: np.ndarray, splits: list[Split]) -> Table:
    rows = [("Parent node", *(str(int(c)) for c in parent), str(int(parent.sum())))]
    for j, s in enumerate(splits):
        tag = f"Split {j + 1}: " if len(splits) > 1 else ""
        rows.append((f"{tag}yes ({s.question})", *(str(int(c)) for c in s.left), str(int(s.left.sum()))))
        rows.append((f"{tag}no", *(str(int(c)) for c in s.right), str(int(s.right.sum()))))
    return Table(headers=("Node", *scenario.labels, "Total"), rows=tuple(rows), title="class counts per node")


def _impurity_line(label: str, counts: np.ndarray, criterion: str) -> str:
    n = int(counts.sum())
    shares = [f"{int(c)}/{n}" for c in counts]
    if criterion == "gini":
        terms = " − ".join(f"({s})²" for s in shares)
        return f"{label}: 1 − {terms} = {fmt(impurity(counts, 'gini'), 4)}"
    terms = " ".join(f"− {s}·log2({s})" for s, c in zip(shares, counts, strict=True) if c > 0).lstrip("− ")
    return f"{label}: −{terms} = {fmt(impurity(counts, 'entropy'), 4)}" if terms else f"{label}: 0"


def _solution(
    scenario: Scenario, criterion: str, ask: str, parent: np.ndarray, split: Split, fit: FittedSplit
) -> str:
    n, nl, nr = int(parent.sum()), int(split.left.sum()), int(split.right.sum())
    lines = [_impurity_line("Parent", parent, criterion)]
    result = {"parent": fit.parent, "children": fit.weighted, "gain": fit.gain}[ask]
    if ask == "parent":
        lines[0] = lines[0].rsplit(" = ", 1)[0] + f" = **{fmt(result)}**"
        top = math.log2(len(parent)) if criterion == "entropy" else 1 - 1 / len(parent)
        lines.append(
            f"The maximum for {len(parent)} classes is {fmt(top, 4)} (all classes equally common); "
            "a pure node scores 0. A split is worth making when its children are purer on average."
        )
        return "\n\n".join(lines)
    lines.append(_impurity_line(f"Yes-child ({nl} rows)", split.left, criterion))
    lines.append(_impurity_line(f"No-child ({nr} rows)", split.right, criterion))
    lines.append(
        f"Weighted children = ({nl} × {fmt(fit.left, 4)} + {nr} × {fmt(fit.right, 4)}) / {n} = "
        + (f"**{fmt(fit.weighted)}**" if ask == "children" else fmt(fit.weighted, 4))
    )
    if ask == "gain":
        lines.append(
            f"{GAIN_NAMES[criterion].capitalize()} = parent − weighted children = {fmt(fit.parent, 4)} − "
            f"{fmt(fit.weighted, 4)} = **{fmt(fit.gain)}**"
        )
    lines.append(
        "Weighting by child size matters: a tiny pure child barely lowers the weighted impurity. "
        "Gini and entropy almost always rank splits the same way; Gini is cheaper (no logarithms)."
    )
    return "\n\n".join(lines)
