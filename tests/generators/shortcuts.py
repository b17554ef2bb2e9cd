"""Can a choice part be answered from surface cues instead of the instance's numbers?

A learner who plays patterns reads the params, the words of the question, where each option sits and which
option is longest, and never the data. For one choice part of a family we build exactly those features over
many seeds and cross-validate two simple scikit-learn classifiers (a shallow tree and a logistic regression)
that predict the key from them. A part without shortcuts gives them no more than the majority class does, and
the majority class itself is close to chance.

Words are letters only: numbers in the prompt are the instance's data, which a learner is meant to read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from generators import ChoiceAnswer, Generator
from tests.generators.instances import generated

TREE_MARGIN = 0.10  # a classifier on surface features may beat the majority class by at most this much
MAJORITY_MARGIN = 0.15  # the majority class may beat 1/options by at most this much
WORDS = r"(?u)\b[^\W\d_][^\W\d_]+\b"


@dataclass(frozen=True, slots=True)
class ShortcutReport:
    """What a pattern-player scores on one choice part, by target (the key's name or its position)."""

    target: str
    n: int
    options: float  # mean number of options shown
    majority: float  # share of the most common key
    best: float  # best cross-validated accuracy of the surface classifiers
    best_model: str

    @property
    def chance(self) -> float:
        return 1 / self.options

    def problems(self) -> list[str]:
        found = []
        if self.best > self.majority + TREE_MARGIN:
            found.append(
                f"{self.best_model} predicts the key's {self.target} from surface cues: "
                f"{self.best:.0%} vs majority {self.majority:.0%}"
            )
        if self.majority > self.chance + MAJORITY_MARGIN:
            found.append(
                f"the key's {self.target} is the same in {self.majority:.0%} of instances "
                f"(chance {self.chance:.0%})"
            )
        return found


def surface(prompt: str, part_prompt: str, params: Mapping[str, Any], labels: list[str]) -> dict[str, Any]:
    """The cues a learner sees without reading the data."""
    lengths = [len(label) for label in labels]
    longest = max(range(len(labels)), key=lambda i: (lengths[i], -i))
    shortest = min(range(len(labels)), key=lambda i: (lengths[i], i))
    features: dict[str, Any] = {
        f"param={k}:{v}": 1 for k, v in params.items() if not isinstance(v, list | dict)
    }
    features["text"] = f"{prompt} {part_prompt}"
    features[f"longest_pos={longest}"] = 1
    features[f"shortest_pos={shortest}"] = 1
    features[f"longest_label={labels[longest]}"] = 1
    features[f"shortest_label={labels[shortest]}"] = 1
    features[f"n_options={len(labels)}"] = 1
    for position, label in enumerate(labels):
        features[f"pos{position}={label}"] = 1
    return features


def choice_instances(
    generator: Generator, params: Mapping[str, Any], seeds: Iterable[int], part: int | None = None
) -> list[tuple[dict[str, Any], str, int, int]]:
    """(surface features, key name, key position, number of options) for each seed's choice part.

    ``part`` picks the part; ``None`` takes the first choice part. Seeds whose problem has no such choice
    part are skipped (a family may ask a number for some params).
    """
    rows = []
    for seed in seeds:
        problem = generated(generator, seed, dict(params))  # shared with the family's other tests
        choice_parts = [p for p in problem.parts if isinstance(p.answer, ChoiceAnswer)]
        if part is not None:
            if part >= len(problem.parts) or not isinstance(problem.parts[part].answer, ChoiceAnswer):
                continue
            chosen = problem.parts[part]
        elif choice_parts:
            chosen = choice_parts[0]
        else:
            continue
        answer = chosen.answer
        assert isinstance(answer, ChoiceAnswer)
        labels = [option.text for option in answer.options]
        names = [option.name for option in answer.options]
        position = names.index(answer.correct)
        rows.append(
            (
                surface(problem.prompt, chosen.prompt, problem.params, labels),
                answer.correct,
                position,
                len(labels),
            )
        )
    return rows


def shortcut_reports(rows: list[tuple[dict[str, Any], str, int, int]], seed: int = 0) -> list[ShortcutReport]:
    """Cross-validated accuracy of surface classifiers for the key's name and for its position."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    assert len(rows) >= 100, f"only {len(rows)} instances with that choice part"
    texts = [row[0]["text"] for row in rows]
    others = [{k: v for k, v in row[0].items() if k != "text"} for row in rows]
    words = CountVectorizer(token_pattern=WORDS, binary=True, min_df=2).fit_transform(texts)
    x = sp.hstack([words, DictVectorizer().fit_transform(others)]).tocsr()
    mean_options = float(np.mean([row[3] for row in rows]))
    reports = []
    for target, y in (("name", [row[1] for row in rows]), ("position", [str(row[2]) for row in rows])):
        counts = Counter(y)
        majority = counts.most_common(1)[0][1] / len(y)
        if len(counts) < 2:
            reports.append(ShortcutReport(target, len(y), mean_options, majority, majority, "constant"))
            continue
        folds = min(5, min(counts.values())) if min(counts.values()) >= 2 else 2
        # Classes seen once cannot be stratified; they count against the classifier by staying in the data.
        y_array = np.array(y)
        keep = np.array([counts[label] >= folds for label in y])
        if keep.sum() < 50:  # keys are mostly unique values (numbers as options): nothing to learn
            reports.append(ShortcutReport(target, len(y), mean_options, majority, majority, "none"))
            continue
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        scores = {}
        for name, model in (
            ("a depth-3 tree", DecisionTreeClassifier(max_depth=3, random_state=seed)),
            ("a logistic regression", LogisticRegression(max_iter=2000, C=1.0)),
        ):
            accuracy = cross_val_score(model, x[keep], y_array[keep], cv=splitter).mean()
            scores[name] = float(accuracy) * keep.mean() + (1 - keep.mean()) * 0.0
        best_model = max(scores, key=scores.__getitem__)
        reports.append(ShortcutReport(target, len(y), mean_options, majority, scores[best_model], best_model))
    return reports


def assert_no_shortcut(
    generator: Generator,
    params: Mapping[str, Any],
    seeds: Iterable[int] = range(300),
    part: int | None = None,
) -> list[ShortcutReport]:
    """Fail with what a pattern-player exploits, if anything; return the reports otherwise."""
    reports = shortcut_reports(choice_instances(generator, params, seeds, part))
    found = [problem for report in reports for problem in report.problems()]
    assert not found, f"{generator.name} {dict(params)} part {part}: " + "; ".join(found)
    return reports
