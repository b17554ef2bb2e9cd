"""`recsys-topk`: top-k metrics of a recommender against held-out items.

A recommender ranks items for users; each user's relevant items are the ones they interacted with in a
held-out period. Definitions (stated in the prompts), with R the user's held-out set and hits@k the
relevant items among the top k:

| ask                | answer                                                      | mistakes the numbers are drawn to expose        |
|--------------------|-------------------------------------------------------------|-------------------------------------------------|
| `precision_recall` | precision@k = hits@k / k; recall@k = hits@k / abs(R)        | dividing by the list length; recall over the relevant items *shown* instead of all of R |
| `average_precision`| AP@k = Σ_{i ≤ k} precision@i·rel(i) / min(k, abs(R))        | dividing by hits@k (scikit-learn's AP on the top k) or by abs(R) |
| `hit_rate`         | share of users with at least one hit in their top k        | mean precision@k; hits anywhere in the longer list |
| `coverage`         | distinct items in all users' top k / catalogue size         | counting the whole lists; not removing duplicates |

AP@k has several definitions in the wild; this one (as in the `ml_metrics` package's `apk`) divides by
min(k, abs(R)) so that a perfect top k scores 1. The tests check the other numbers with scikit-learn's
precision, recall and average precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table, fmt

Ask = Literal["precision_recall", "average_precision", "hit_rate", "coverage"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.02


@dataclass(frozen=True, slots=True)
class Scenario:
    service: str
    items: str  # plural
    prefix: str
    relevant: str  # what makes an item relevant in the held-out period


SCENARIOS = (
    Scenario(
        "A streaming service's home-page recommender",
        "films",
        "F",
        "watched to the end in the following week",
    ),
    Scenario("An online shop's 'recommended for you' row", "products", "P", "bought in the following month"),
    Scenario("A music app's daily mix", "tracks", "T", "saved to a playlist in the following week"),
    Scenario("A news app's personalised feed", "articles", "N", "read for more than a minute the next day"),
    Scenario("A job board's 'jobs for you' e-mail", "job ads", "J", "applied to within two weeks"),
    Scenario("A recipe site's suggestion engine", "recipes", "R", "cooked and rated in the following month"),
)


class RecsysTopKParams(Params):
    ask: Ask | None = None


def precision_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(item in relevant for item in ranked[:k]) / k


def recall_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(item in relevant for item in ranked[:k]) / len(relevant)


def average_precision_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    """Σ over relevant ranks i ≤ k of precision@i, divided by min(k, abs(R))."""
    total, hits = 0.0, 0
    for i, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / min(k, len(relevant))


def _ids(rng: np.random.Generator, prefix: str, n: int, pool: int = 90) -> list[str]:
    return [f"{prefix}{v}" for v in rng.choice(np.arange(10, 10 + pool), size=n, replace=False)]


class RecsysTopK(Generator):
    name = "recsys-topk"
    title = "Recommender top-k metrics: precision, recall, AP, hit rate, coverage"
    description = (
        "A ranked recommendation list and a user's held-out items: precision@k and recall@k, average "
        "precision@k, hit rate@k over several users, and catalogue coverage."
    )
    Params = RecsysTopKParams
    topics = ("recommender-systems", "metrics", "ranking")

    def make(self, rng: np.random.Generator, seed: int, params: RecsysTopKParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask in ("precision_recall", "average_precision"):
            return self._one_user(rng, seed, params, scenario, ask)
        if ask == "hit_rate":
            return self._hit_rate(rng, seed, params, scenario)
        return self._coverage(rng, seed, params, scenario)

    def _one_user(
        self, rng: np.random.Generator, seed: int, params: RecsysTopKParams, s: Scenario, ask: str
    ) -> Problem:
        for _ in range(MAX_DRAWS):
            n = int(rng.integers(8, 13))
            k = int(rng.choice([5, 6, 8])) if ask == "average_precision" else int(rng.choice([3, 5, 8]))
            if k >= n:
                continue
            ids = _ids(rng, s.prefix, n + 4)
            ranked, outside = ids[:n], ids[n:]
            shown_relevant = rng.random(n) < np.linspace(0.4, 0.1, n)  # better items tend to rank higher
            missing = int(rng.integers(1, 4))  # held-out items the list never showed
            relevant = {ranked[i] for i in np.flatnonzero(shown_relevant)} | set(outside[:missing])
            hits = sum(item in relevant for item in ranked[:k])
            if hits == 0 or hits == k or len(relevant) > 7:
                continue
            if ask == "precision_recall":
                p, r = precision_at_k(ranked, relevant, k), recall_at_k(ranked, relevant, k)
                p_slips = (hits / n, r)  # dividing by the list length; the two swapped
                r_slips = (hits / int(shown_relevant.sum()), p)  # recall over the relevant items shown
                if (
                    min(abs(p - x) for x in p_slips) >= MISTAKE_GAP
                    and min(abs(r - x) for x in r_slips) >= MISTAKE_GAP
                ):
                    break
            else:
                value = average_precision_at_k(ranked, relevant, k)
                total = value * min(k, len(relevant))
                slips = (total / hits, total / len(relevant))
                if hits >= 2 and min(abs(value - x) for x in slips) >= MISTAKE_GAP:
                    break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("rank", s.items[:-1] if s.items.endswith("s") else s.items, "relevant"),
            rows=tuple((str(i + 1), item, "✓" if item in relevant else "·") for i, item in enumerate(ranked)),
            title=f"the user's ranked list · ✓ = {s.relevant}",
        )
        held_out = ", ".join(sorted(relevant, key=lambda x: int(x[1:])))
        intro = (
            f"{s.service} ranks {n} {s.items} for one user. In the held-out period, {len(relevant)} {s.items} count as "
            f"relevant, the ones the user {s.relevant}: {held_out}. The ✓ marks show which of them the list "
            "contains."
        )
        data: dict[str, object] = {"ask": ask, "k": k, "ranked": ranked, "relevant": sorted(relevant)}
        if ask == "precision_recall":
            question = (
                f"What are **precision@{k}** and **recall@{k}** for this user (recall over all {len(relevant)} "
                "held-out items)? Answer both to 3 decimals, separated by ';'."
            )
            parts = (
                Part(f"precision@{k}?", NumberAnswer(p, decimals=3)),
                Part(f"recall@{k}?", NumberAnswer(r, decimals=3)),
            )
            solution = _pr_solution(ranked, relevant, k, n, s)
            data |= {"precision": p, "recall": r}
        else:
            question = (
                f"What is **AP@{k}**, defined as the sum of precision@i over the ranks i ≤ {k} that hold a relevant "
                f"item, divided by min({k}, number of held-out items)? Answer to 3 decimals."
            )
            parts = (Part(f"AP@{k}?", NumberAnswer(value, decimals=3)),)
            solution = _ap_solution(ranked, relevant, k)
            data |= {"average_precision": value}
        return self.problem(
            seed,
            params,
            prompt=f"{intro}\n\n{question}",
            parts=parts,
            solution=solution,
            data=data,
            table=table,
        )

    def _hit_rate(
        self, rng: np.random.Generator, seed: int, params: RecsysTopKParams, s: Scenario
    ) -> Problem:
        for _ in range(MAX_DRAWS):
            users, n, k = int(rng.integers(5, 8)), 6, int(rng.choice([2, 3]))
            marks = (rng.random((users, n)) < rng.uniform(0.1, 0.35, size=(users, 1))).astype(int)
            hit = marks[:, :k].any(axis=1)
            value = float(hit.mean())
            mean_precision = float(marks[:, :k].sum() / (users * k))
            anywhere = float(marks.any(axis=1).mean())
            if 0 < value < 1 and min(abs(value - x) for x in (mean_precision, anywhere)) >= MISTAKE_GAP:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("user", *(f"#{r}" for r in range(1, n + 1))),
            rows=tuple((f"user {u + 1}", *("✓" if v else "·" for v in row)) for u, row in enumerate(marks)),
            title=f"top {n} per user · ✓ = {s.relevant}",
        )
        prompt = (
            f"{s.service} is evaluated on {users} users. Each row shows the user's top {n} {s.items}, marked ✓ when "
            f"the user {s.relevant}.\n\nWhat is the **hit rate@{k}**, the share of users with at least one ✓ in "
            f"their top {k}? Answer to 3 decimals (a fraction is fine too)."
        )
        lines = [
            f"User {u + 1}: top {k} = {' '.join('✓' if v else '·' for v in row[:k])} → "
            + ("hit" if hit[u] else "no hit")
            for u, row in enumerate(marks)
        ]
        solution = "\n\n".join(
            [
                "\n".join(f"- {line}" for line in lines),
                f"Hit rate@{k} = {int(hit.sum())} / {users} = **{fmt(value)}**",
                f"Hit rate counts users, not hits: a user with two ✓ counts once. The mean precision@{k} here is "
                f"{int(marks[:, :k].sum())} / ({users}·{k}) = {fmt(mean_precision, 3)}, and counting a ✓ anywhere in the "
                f"top {n} gives {fmt(anywhere, 3)}, a different cut-off.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"hit rate@{k}?", NumberAnswer(value, decimals=3)),),
            solution=solution,
            data={
                "ask": "hit_rate",
                "k": k,
                "marks": marks.tolist(),
                "hit_rate": value,
                "mean_precision": mean_precision,
                "anywhere": anywhere,
            },
            table=table,
        )

    def _coverage(
        self, rng: np.random.Generator, seed: int, params: RecsysTopKParams, s: Scenario
    ) -> Problem:
        for _ in range(MAX_DRAWS):
            catalogue = int(rng.choice([40, 50, 60, 80]))
            users, n, k = int(rng.integers(4, 7)), 5, 3
            popularity = 1 / np.arange(1, catalogue + 1) ** 1.1  # a few blockbusters dominate
            popularity /= popularity.sum()
            # Number the catalogue 1..catalogue (in a random order), so no id suggests a bigger catalogue.
            drawn = _ids(rng, s.prefix, catalogue, pool=catalogue * 2)
            names = [
                f"{s.prefix}{rank + 1}"
                for rank in np.argsort(np.argsort([int(v[len(s.prefix) :]) for v in drawn]))
            ]
            lists = [
                [names[i] for i in rng.choice(catalogue, size=n, replace=False, p=popularity)]
                for _ in range(users)
            ]
            top = {item for row in lists for item in row[:k]}
            value = len(top) / catalogue
            whole = len({item for row in lists for item in row}) / catalogue
            no_dedup = users * k / catalogue
            if min(abs(value - x) for x in (whole, no_dedup)) >= MISTAKE_GAP:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        table = Table(
            headers=("user", *(f"#{r}" for r in range(1, n + 1))),
            rows=tuple((f"user {u + 1}", *row) for u, row in enumerate(lists)),
            title=f"top {n} {s.items} per user",
        )
        prompt = (
            f"{s.service} draws from a catalogue of **{catalogue}** {s.items}. The table shows the top {n} for "
            f"{users} users.\n\nWhat is the **catalogue coverage@{k}**: the share of the catalogue that appears in at "
            f"least one user's top {k}? Answer to 3 decimals (a fraction is fine too)."
        )
        ordered = sorted(top, key=lambda x: int(x[1:]))
        solution = "\n\n".join(
            [
                f"Distinct {s.items} in the top {k} columns: {', '.join(ordered)} ({len(top)} of the {users}·{k} = "
                f"{users * k} slots; the rest are repeats).",
                f"Coverage@{k} = {len(top)} / {catalogue} = **{fmt(value)}**",
                f"Counting all {n} columns gives {fmt(whole, 3)}, and forgetting to remove repeats gives {fmt(no_dedup, 3)}. "
                "Low coverage with repeats across users is the popularity bias of many recommenders: accuracy "
                "metrics can look good while most of the catalogue is never shown.",
            ]
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part(f"coverage@{k}?", NumberAnswer(value, decimals=3)),),
            solution=solution,
            data={
                "ask": "coverage",
                "k": k,
                "catalogue": catalogue,
                "lists": lists,
                "coverage": value,
                "whole_lists": whole,
                "no_dedup": no_dedup,
            },
            table=table,
        )


def _pr_solution(ranked: list[str], relevant: set[str], k: int, n: int, s: Scenario) -> str:
    top = ranked[:k]
    hits = [item for item in top if item in relevant]
    shown = [item for item in ranked if item in relevant]
    p, r = len(hits) / k, len(hits) / len(relevant)
    return "\n\n".join(
        [
            f"Top {k}: {', '.join(top)}; relevant among them: {', '.join(hits)} ({len(hits)}).",
            f"Precision@{k} = hits / k = {len(hits)} / {k} = **{fmt(p)}**",
            f"Recall@{k} = hits / all held-out items = {len(hits)} / {len(relevant)} = **{fmt(r)}**",
            f"Recall divides by every held-out item, including the {len(relevant) - len(shown)} the list never showed; "
            f"using only the {len(shown)} relevant items in the list gives {fmt(len(hits) / len(shown), 3)}, which "
            f"flatters the model. Precision divides by k, not by the list length {n}.",
        ]
    )


def _ap_solution(ranked: list[str], relevant: set[str], k: int) -> str:
    terms, hits = [], 0
    for i, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            terms.append((i, hits))
    denominator = min(k, len(relevant))
    value = sum(h / i for i, h in terms) / denominator
    in_top = len(terms)
    return "\n\n".join(
        [
            f"Relevant items in the top {k} sit at rank{'s' if in_top > 1 else ''} {', '.join(str(i) for i, _ in terms)}; "
            f"precision at each: {', '.join(f'{h}/{i}' for i, h in terms)}.",
            f"Sum = {' + '.join(f'{fmt(h / i, 4)}' for i, h in terms)} = {fmt(sum(h / i for i, h in terms), 4)}.",
            f"Divide by min(k, |R|) = min({k}, {len(relevant)}) = {denominator}: AP@{k} = **{fmt(value)}**",
            f"Dividing by the {in_top} hits in the top {k} instead (what `sklearn.metrics.average_precision_score` "
            f"gives on the top {k} alone) yields {fmt(sum(h / i for i, h in terms) / in_top, 3)}, which ignores the "
            f"relevant items the top {k} missed. Always say which AP@k you report.",
        ]
    )
