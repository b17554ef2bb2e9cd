"""successive-halving: rungs and budgets replayed by a simulation that ranks random scores and counts epochs
one at a time; Hyperband's brackets recomputed with fractions and checked against the paper's R = 81, η = 3
table; rungs and resources checked against scikit-learn's HalvingRandomSearchCV; ASHA's promotions replayed
with numpy ranks; the mistakes graded wrong; determinism and params."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from generators import get
from tests.generators.family_checks import (
    assert_deterministic_and_mixed,
    assert_import_is_light,
    assert_params_rejected,
)
from tests.generators.grading_checks import assert_grades
from tests.generators.instances import generated

GEN = get("successive-halving")
ASKS = ("rungs", "total-budget", "hyperband", "asha")
SEEDS = range(150)

# Li et al. 2018, Table 1 (R = 81, η = 3): per bracket s, the (configs, epochs) of each rung i = 0, 1, ...
PAPER_R81_ETA3 = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


class Run:
    """One successive-halving run played out: each config keeps its own epoch count, trains one epoch at a
    time, and gets a random validation score at every rung; the best ⌊m/η⌋ scores go on."""

    def __init__(self, n: int, r: int, eta: int, max_epochs: int, retrain: bool, seed: int = 0) -> None:
        scores = random.Random(seed)
        trained = dict.fromkeys(range(n), 0)
        alive, target = list(trained), r
        self.epochs = 0
        self.rungs: list[tuple[int, int]] = []
        self.rung_cost: list[int] = []
        while True:
            before = self.epochs
            for config in alive:
                if retrain:
                    trained[config] = 0
                while trained[config] < target:
                    trained[config] += 1
                    self.epochs += 1
            self.rungs.append((len(alive), target))
            self.rung_cost.append(self.epochs - before)
            keep = len(alive) // eta
            if target >= max_epochs or keep == 0:
                break
            score = {config: scores.random() for config in alive}
            alive = sorted(alive, key=score.__getitem__, reverse=True)[:keep]
            target *= eta


def bracket_configs(s_max: int, eta: int, s: int) -> int:
    """n = ⌈(B/R)·η^s/(s + 1)⌉ with B = (s_max + 1)·R, in exact fractions."""
    return math.ceil(Fraction(s_max + 1) * eta**s / (s + 1))


@pytest.mark.parametrize("ask", ["rungs", "total-budget"])
def test_halving_matches_a_played_out_run(ask: str) -> None:
    stopped_by_r = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": ask})
        d = problem.data
        retrain = bool(d.get("retrain", False))
        run = Run(d["n"], d["r"], d["eta"], d["R"], retrain, seed)
        assert [tuple(rung) for rung in d["rungs"]] == run.rungs, seed
        if ask == "rungs":
            assert problem.expected == [len(run.rungs), run.rungs[-1][0]], seed
        else:
            assert problem.expected == run.epochs, seed
            other = Run(d["n"], d["r"], d["eta"], d["R"], not retrain, seed)
            assert d["mistakes"]["other_convention"] == [other.epochs]
            assert d["mistakes"]["no_last_rung"] == [run.epochs - run.rung_cost[-1]]
        last_epochs = run.rungs[-1][1]
        stopped_by_r += last_epochs == d["R"]
        assert (d["stopped_by"] == "R") == (last_epochs == d["R"]), seed
        # The limit that does not bind would give a different number of rungs.
        assert math.floor(math.log(d["n"], d["eta"]) + 1e-9) != round(math.log(d["R"] // d["r"], d["eta"]))
    assert 0.3 * len(SEEDS) <= stopped_by_r <= 0.7 * len(SEEDS)


def test_retrain_and_resume_both_asked() -> None:
    retrained = sum(generated(GEN, seed, {"ask": "total-budget"}).data["retrain"] for seed in SEEDS)
    assert 0.3 * len(SEEDS) <= retrained <= 0.7 * len(SEEDS)


def test_deck_example_budget() -> None:
    """The deck's card: 81 configs, η = 3, 1 to 81 epochs: 297 epochs resuming, 405 retraining."""
    assert Run(81, 1, 3, 81, retrain=False).epochs == 297
    assert Run(81, 1, 3, 81, retrain=True).epochs == 405


def test_hyperband_matches_the_paper_table() -> None:
    s_max, eta, max_epochs = 4, 3, 81
    assert [bracket_configs(s_max, eta, s) for s in range(4, -1, -1)] == [81, 34, 15, 8, 5]
    for s, table in PAPER_R81_ETA3.items():
        n = bracket_configs(s_max, eta, s)
        assert Run(n, max_epochs // eta**s, eta, max_epochs, retrain=True).rungs == table, s
    problem = next(
        p
        for seed in range(400)
        if (p := generated(GEN, seed, {"ask": "hyperband"})).data["R"] == 81
        and p.data["eta"] == 3
        and p.data["r"] == 1
        and p.data["bracket"] is None
    )
    assert problem.expected == [5, 143]


def test_hyperband_matches_fractions() -> None:
    whole = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "hyperband"})
        d = problem.data
        eta = d["eta"]
        s_max = round(math.log(d["R"] / d["r"], eta))
        assert d["r"] * eta**s_max == d["R"], seed
        configs = [bracket_configs(s_max, eta, s) for s in range(s_max, -1, -1)]
        assert d["brackets"] == configs
        second = sum(configs) if d["bracket"] is None else bracket_configs(s_max, eta, d["bracket"])
        assert problem.expected == [s_max + 1, second], seed
        assert d["mistakes"]["eta_power_alone"][1] != second
        whole += d["bracket"] is None
    assert 0.2 * len(SEEDS) <= whole <= 0.6 * len(SEEDS)


def test_rungs_match_scikit_learn() -> None:
    """HalvingRandomSearchCV with factor = η, resource = epochs from r to R: the same number of rungs and the
    same epochs per rung; it rounds survivors up, so its last rung is the generator's rounded-up slip."""
    import numpy as np
    from sklearn.base import BaseEstimator
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    class Trial(BaseEstimator):
        def __init__(self, quality: float = 0.0, epochs: int = 1) -> None:
            self.quality = quality
            self.epochs = epochs

        def fit(self, x: np.ndarray, y: np.ndarray) -> Trial:
            return self

        def score(self, x: np.ndarray, y: np.ndarray) -> float:
            return self.quality * (1 - 1 / (1 + self.epochs))

    x, y = np.zeros((4, 1)), np.zeros(4)
    small = [p for seed in SEEDS if (p := generated(GEN, seed, {"ask": "rungs"})).data["n"] <= 40][:4]
    assert len(small) == 4
    for problem in small:
        d = problem.data
        search = HalvingRandomSearchCV(
            Trial(),
            {"quality": [i / 1000 for i in range(1000)]},
            n_candidates=d["n"],
            factor=d["eta"],
            resource="epochs",
            min_resources=d["r"],
            max_resources=d["R"],
            aggressive_elimination=False,
            cv=2,
            refit=False,
            random_state=0,
        ).fit(x, y)
        assert search.n_iterations_ == problem.expected[0], problem.seed
        assert search.n_resources_ == [epochs for _, epochs in d["rungs"]]
        assert search.n_candidates_[-1] == d["mistakes"]["rounded_up"][1] != problem.expected[1]


class Rung0:
    """ASHA's bottom rung as a worker pool sees it (Li et al. 2020, Algorithm 2): completed losses in order,
    the set promoted, and the promotion rule applied to the results in so far."""

    def __init__(self, eta: int) -> None:
        self.eta = eta
        self.losses: list[float] = []
        self.promoted: set[int] = set()

    def promotable(self) -> list[int]:
        import numpy as np

        order = np.argsort(np.array(self.losses), kind="stable")[: len(self.losses) // self.eta]
        return [int(i) + 1 for i in order if int(i) + 1 not in self.promoted]

    def finish(self, loss: float) -> int:
        """A trial completes the rung and its worker asks for a job: the trial promoted, or 0 (a new one)."""
        self.losses.append(loss)
        candidates = self.promotable()
        if not candidates:
            return 0
        self.promoted.add(candidates[0])
        return candidates[0]


def test_asha_matches_a_replayed_rung() -> None:
    kinds = {"new": 0, "older": 0, "none": 0}
    outranked = 0
    for seed in SEEDS:
        problem = generated(GEN, seed, {"ask": "asha"})
        d = problem.data
        rung = Rung0(d["eta"])
        for loss in d["losses"][:-1]:
            rung.finish(loss)
        assert sorted(rung.promoted) == d["promoted"], seed
        choice = rung.finish(d["losses"][-1])
        assert problem.expected == choice, seed
        kinds["none" if choice == 0 else "new" if choice == len(d["losses"]) else "older"] += 1
        top = sorted(range(len(d["losses"])), key=d["losses"].__getitem__)[: len(d["losses"]) // d["eta"]]
        outranked += any(trial - 1 not in top for trial in d["promoted"])
        assert all(value != [choice] for value in d["mistakes"].values())
    assert min(kinds.values()) >= 0.2 * len(SEEDS), kinds
    assert outranked >= 0.2 * len(SEEDS)  # promotions made on early results that later results overturned


@pytest.mark.parametrize("ask", ASKS)
def test_grading(ask: str) -> None:
    for seed in range(60):
        problem = generated(GEN, seed, {"ask": ask})
        right = "; ".join(str(v) for v in problem.data["answers"])
        wrong = ["; ".join(str(v) for v in values) for values in problem.data["mistakes"].values()]
        assert len(wrong) >= (2 if ask == "asha" else 3)
        assert right not in wrong
        assert_grades(problem, [right], wrong, seed)


def test_solution_shows_the_answers() -> None:
    for seed in range(60):
        problem = generated(GEN, seed)
        for value in problem.data["answers"]:
            assert f"**{value}**" in problem.solution, seed


def test_prompt_states_the_conventions() -> None:
    for seed in range(60):
        problem = generated(GEN, seed)
        d = problem.data
        if d["ask"] == "hyperband":
            assert "⌈(s_max + 1)·η^s/(s + 1)⌉" in problem.prompt
            continue
        assert "⌊m/η⌋" in problem.prompt and "rounded down" in problem.prompt
        if d["ask"] == "total-budget":
            assert ("retrained from scratch" in problem.prompt) == d["retrain"]
            assert ("resumes from its checkpoint" in problem.prompt) == (not d["retrain"])


def test_deterministic_varied_and_mixed() -> None:
    assert_deterministic_and_mixed(GEN, ASKS)


def test_params_validation() -> None:
    assert_params_rejected(GEN, [{"ask": "bohb"}, {"eta": 3}])
    assert GEN.Params.model_validate({"ask": "total_budget"}).ask == "total-budget"


def test_import_is_light() -> None:
    assert_import_is_light("generators.successive_halving")
