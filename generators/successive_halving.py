"""`successive-halving`: rungs and epoch budgets of successive halving, Hyperband's brackets, ASHA's promotions.

| ask            | answer                                                              | mistakes the numbers are drawn to expose |
|----------------|---------------------------------------------------------------------|------------------------------------------|
| `rungs`        | (a) rungs run, 1 + min(⌊log_η n⌋, log_η(R/r)); (b) configs in the last rung, ⌊n/η^K⌋ | (a) the limit that does not bind (the other of n and R); the number of promotions K instead of the rungs K + 1; (b) rounding survivors up (⌈n/η^K⌉, scikit-learn's convention) |
| `total-budget` | epochs of one run: Σ nᵢ·(rᵢ − rᵢ₋₁) if survivors resume from checkpoints, Σ nᵢ·rᵢ if they retrain | the other convention; n·R (every config trained to the maximum, plain random search); the last rung left out |
| `hyperband`    | (a) brackets s_max + 1, s_max = log_η(R/r); (b) configs bracket s samples, ⌈(s_max + 1)·η^s/(s + 1)⌉, or the total over all brackets | (a) s_max itself; (b) η^s alone; s_max + 1 taken off by one; the ceilings dropped; for the total, only the first bracket |
| `asha`         | the trial ASHA promotes from rung 0 when a trial has just finished there: the best not yet promoted among the top ⌊m/η⌋ of the m completed so far, or 0 (a new configuration) | the top ⌈m/η⌉; only the trial that just finished considered; the rung's best trial though it was promoted already; waiting for the rung to fill (0) |

Conventions, stated in every prompt: rung i trains nᵢ configs to r·ηⁱ epochs; the best ⌊nᵢ/η⌋ (rounded down)
go on; the run stops after the rung at R epochs or after a rung with fewer than η configs (⌊nᵢ/η⌋ = 0, so
nothing is promoted), whichever comes first. Instances are drawn so that each limit binds about half the time
and the other limit would give a different number of rungs, and so that rounding survivors up changes the
last rung. ASHA's states are replayed with its own rule (Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt,
Recht & Talwalkar, 2020, A System for Massively Parallel Hyperparameter Tuning, MLSys, Algorithm 2), so the
trials already promoted are the ones ASHA would have promoted, some of them since outranked. Hyperband's
brackets follow Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar (2018), Hyperband: A Novel Bandit-Based Approach
to Hyperparameter Optimization, JMLR, Algorithm 1 (R = 81, η = 3 gives brackets of 81, 34, 15, 8 and 5
configs); successive halving is Jamieson & Talwalkar (2016). The tests replay the schedule with random scores
and an epoch counter, compare rungs with scikit-learn's HalvingRandomSearchCV, and replay ASHA's rung 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, Table

Ask = Literal["rungs", "total-budget", "hyperband", "asha"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

# η -> (rung exponents k with R = r·η^k, range of n): runs of 3 to 7 rungs, R at most a few hundred epochs.
HALVING_RANGES: dict[int, tuple[tuple[int, ...], tuple[int, int]]] = {
    2: ((2, 3, 4, 5, 6), (8, 160)),
    3: ((2, 3, 4), (9, 300)),
    4: ((2, 3), (16, 300)),
}
# η -> exponents k with R/r = η^k for Hyperband: 3 to 7 brackets.
HYPERBAND_EXPONENTS: dict[int, tuple[int, ...]] = {2: (4, 5, 6), 3: (3, 4, 5), 4: (2, 3, 4)}
MIN_EPOCHS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class Scenario:
    team: str  # who tunes what: "A vision team tunes a ResNet-18 on CIFAR-10"
    space: str  # what each configuration sets


SCENARIOS = (
    Scenario(
        "A vision team tunes a ResNet-18 on CIFAR-10", "learning rate, weight decay and augmentation strength"
    ),
    Scenario(
        "A speech team tunes a small keyword-spotting network",
        "learning rate, dropout and the mel filter count",
    ),
    Scenario(
        "A search team tunes a two-tower retrieval model", "embedding size, temperature and learning rate"
    ),
    Scenario(
        "An NLP team tunes a DistilBERT fine-tune for ticket routing",
        "learning rate, warm-up share and dropout",
    ),
    Scenario(
        "A forecasting team tunes an LSTM on hourly energy demand",
        "hidden size, lookback window and learning rate",
    ),
    Scenario(
        "A fraud team tunes a tabular MLP on transaction data", "depth, width, dropout and learning rate"
    ),
)


class SuccessiveHalvingParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Rung:
    configs: int  # configurations trained in this rung
    epochs: int  # epochs each of them has been trained to at the end of the rung


def halving_rungs(n: int, r: int, eta: int, max_epochs: int) -> list[Rung]:
    """The rungs of one successive-halving run: rung i trains nᵢ configs to r·ηⁱ epochs and ⌊nᵢ/η⌋ go on. It
    stops after the rung at ``max_epochs`` or after a rung with fewer than η configs, as the prompt states."""
    rungs = [Rung(n, r)]
    while rungs[-1].configs >= eta and rungs[-1].epochs * eta <= max_epochs:
        last = rungs[-1]
        rungs.append(Rung(last.configs // eta, last.epochs * eta))
    return rungs


def run_epochs(rungs: list[Rung], retrain: bool) -> int:
    """Epochs the run trains: a resumed survivor pays only its extra epochs; a retrained one pays them all."""
    total, before = 0, 0
    for rung in rungs:
        total += rung.configs * (rung.epochs if retrain else rung.epochs - before)
        before = rung.epochs
    return total


def integer_log(value: int, base: int) -> int:
    """⌊log_base value⌋ in integers (floating-point logs misround exact powers, e.g. log₃ 243)."""
    k = 0
    while base ** (k + 1) <= value:
        k += 1
    return k


def hyperband_brackets(s_max: int, eta: int) -> list[int]:
    """Configurations sampled by bracket s = s_max, …, 0: ⌈(s_max + 1)·η^s/(s + 1)⌉ (Li et al. 2018)."""
    return [-(-(s_max + 1) * eta**s // (s + 1)) for s in range(s_max, -1, -1)]


class SuccessiveHalving(Generator):
    name = "successive-halving"
    title = "Successive halving and Hyperband budgets"
    description = (
        "How many rungs a successive-halving run has and how many configs reach the last one, the epochs it "
        "spends when survivors resume or retrain, and Hyperband's brackets and the configs each samples."
    )
    Params = SuccessiveHalvingParams
    topics = ("hyperparameter-optimisation",)

    def make(self, rng: np.random.Generator, seed: int, params: SuccessiveHalvingParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        s = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
        if ask == "hyperband":
            return self._hyperband(rng, seed, params, s)
        if ask == "asha":
            return self._asha(rng, seed, params, s)
        return self._halving(rng, seed, params, s, ask)

    def _halving(
        self, rng: np.random.Generator, seed: int, params: SuccessiveHalvingParams, s: Scenario, ask: str
    ) -> Problem:
        r_binds = bool(rng.random() < 0.5)  # the maximum R ends the run (else too few configs are left)
        for _ in range(MAX_DRAWS):
            eta = int(rng.choice([2, 3, 4]))
            exponents, (low, high) = HALVING_RANGES[eta]
            k_r = int(rng.choice(exponents))
            n = int(rng.integers(low, high + 1))
            k_n = integer_log(n, eta)
            k = min(k_n, k_r)
            if k < 2 or k_n == k_r or (k_r < k_n) != r_binds:
                continue
            if n % eta**k == 0:  # rounding up would not change the last rung: the slip is invisible
                continue
            break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        r = int(rng.choice(MIN_EPOCHS))
        max_epochs = r * eta**k_r
        rungs = halving_rungs(n, r, eta, max_epochs)
        retrain = bool(rng.random() < 0.5)
        setting = (
            f"{s.team} with **successive halving**: it samples **n = {n}** configurations ({s.space}) and "
            f"trains each for **r = {_count(r, 'epoch')}** (rung 0). After each rung the best "
            f"**⌊m/η⌋** of the rung's m configurations (rounded down) are promoted, with **η = {eta}**, and "
            f"trained to {eta} times the epochs of the rung before. The maximum is **R = {max_epochs} epochs** "
            f"per configuration. The run ends after the rung that trains to R epochs, or after a rung with fewer "
            f"than {eta} configurations (⌊m/η⌋ = 0: nobody to promote, its best one wins), whichever comes first."
        )
        data = {
            "ask": ask,
            "n": n,
            "r": r,
            "eta": eta,
            "R": max_epochs,
            "rungs": [[rung.configs, rung.epochs] for rung in rungs],
            "stopped_by": "R" if r_binds else "configs",
        }
        if ask == "rungs":
            answers = [len(rungs), rungs[-1].configs]
            other = (k_n if r_binds else k_r) + 1
            up = -(-n // eta**k)
            mistakes = {
                "other_limit": [other, answers[1]],
                "promotions": [k, answers[1]],
                "rounded_up": [answers[0], up],
            }
            question = (
                "(a) How many rungs does the run have, rung 0 included? (b) How many configurations are trained "
                "in its last rung? Answer each as a whole number, separated by ';'."
            )
            parts = (
                Part("rungs?", NumberAnswer(answers[0], tolerance=0), label="rungs"),
                Part("configs in the last rung?", NumberAnswer(answers[1], tolerance=0), label="last rung"),
            )
            solution = _rungs_solution(n, r, eta, max_epochs, k_n, k_r, rungs, mistakes)
        else:
            total = run_epochs(rungs, retrain)
            answers = [total]
            last = rungs[-1]
            last_cost = last.configs * (last.epochs if retrain else last.epochs - rungs[-2].epochs)
            mistakes = {
                "other_convention": [run_epochs(rungs, not retrain)],
                "all_to_max": [n * max_epochs],
                "no_last_rung": [total - last_cost],
            }
            how = (
                "A promoted configuration is **retrained from scratch** at each rung (no checkpoints are kept), "
                "so a rung at e epochs costs e epochs per configuration."
                if retrain
                else "A promoted configuration **resumes from its checkpoint**, so it only trains the extra "
                "epochs between its last rung and the new one."
            )
            question = (
                f"{how}\n\nHow many epochs does the whole run train in total? Answer as a whole number."
            )
            parts = (Part("total epochs?", NumberAnswer(total, tolerance=0, unit="epochs")),)
            solution = _budget_solution(n, eta, max_epochs, rungs, retrain, total, mistakes)
            data["retrain"] = retrain
        data["answers"] = answers
        data["mistakes"] = mistakes
        return self.problem(
            seed, params, prompt=f"{setting}\n\n{question}", parts=parts, solution=solution, data=data
        )

    def _hyperband(
        self, rng: np.random.Generator, seed: int, params: SuccessiveHalvingParams, s: Scenario
    ) -> Problem:
        whole_run = bool(rng.random() < 0.4)  # else one bracket s
        for _ in range(MAX_DRAWS):
            eta = int(rng.choice([2, 3, 4]))
            s_max = int(rng.choice(HYPERBAND_EXPONENTS[eta]))
            r = int(rng.choice(MIN_EPOCHS))
            bracket = None if whole_run else int(rng.integers(0, s_max))  # s = s_max would be η^s itself
            answers, mistakes = _hyperband_values(s_max, eta, bracket)
            if all(m[1] != answers[1] for name, m in mistakes.items() if name != "off_by_one_brackets"):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        max_epochs = r * eta**s_max
        setting = (
            f"{s.team} with **Hyperband** (Li et al. 2018): minimum **r = {_count(r, 'epoch')}**, "
            f"maximum **R = {max_epochs} epochs** per configuration, **η = {eta}**. Each bracket s is one "
            f"successive-halving run whose configurations start at R·η^(−s) epochs; the most aggressive "
            f"bracket, s = s_max, starts at r, and bracket s = 0 trains every configuration to R. Bracket s "
            f"samples **n = ⌈(s_max + 1)·η^s/(s + 1)⌉** new configurations ({s.space})."
        )
        second = (
            "How many configurations does one full Hyperband run sample over all its brackets?"
            if whole_run
            else f"How many configurations does bracket **s = {bracket}** sample?"
        )
        question = f"(a) How many brackets does one Hyperband run have? (b) {second} Answer each as a whole number, separated by ';'."
        parts = (
            Part("brackets?", NumberAnswer(answers[0], tolerance=0), label="brackets"),
            Part(
                "configs over all brackets?" if whole_run else f"configs in bracket s = {bracket}?",
                NumberAnswer(answers[1], tolerance=0),
                label="configs",
            ),
        )
        return self.problem(
            seed,
            params,
            prompt=f"{setting}\n\n{question}",
            parts=parts,
            solution=_hyperband_solution(r, max_epochs, eta, s_max, bracket, answers, mistakes),
            data={
                "ask": "hyperband",
                "r": r,
                "R": max_epochs,
                "eta": eta,
                "s_max": s_max,
                "bracket": bracket,
                "brackets": hyperband_brackets(s_max, eta),
                "answers": answers,
                "mistakes": mistakes,
            },
        )

    def _asha(
        self, rng: np.random.Generator, seed: int, params: SuccessiveHalvingParams, s: Scenario
    ) -> Problem:
        kind = str(rng.choice(["new", "older", "none"]))  # what the right answer promotes
        for _ in range(MAX_DRAWS):
            eta = int(rng.choice([2, 3, 4]))
            m = int(rng.integers(5, 15))  # trials done before the one that just finished
            losses = [float(x) / 1000 for x in rng.choice(np.arange(150, 900), size=m + 1, replace=False)]
            promoted = asha_promoted(losses[:m], eta)
            answer, mistakes = _asha_values(losses, promoted, eta)
            got = "none" if answer == 0 else "new" if answer == m + 1 else "older"
            if got == kind and len(mistakes) >= 2:
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        r = int(rng.choice(MIN_EPOCHS))
        table = Table(
            headers=("trial", "validation loss", "status"),
            rows=tuple(
                (
                    str(i + 1),
                    f"{loss:.3f}",
                    "just finished" if i == m else "promoted to rung 1" if i + 1 in promoted else "",
                )
                for i, loss in enumerate(losses)
            ),
            title=f"rung 0 ({_count(r, 'epoch')}), in order of completion",
        )
        prompt = (
            f"{s.team} with **ASHA**, asynchronous successive halving (Li et al. 2020), **η = {eta}**, on many "
            f"workers. Rung 0 trains a configuration ({s.space}) for {_count(r, 'epoch')}; rung 1 for "
            f"{r * eta}. When a worker frees up, a trial of rung 0 is promoted if it ranks in the **top ⌊m/η⌋** "
            f"(rounded down, lowest loss first) of the **m trials completed at rung 0 so far**, promoted ones "
            f"included, and has **not been promoted yet**; the best such trial goes first. If no trial qualifies, "
            f"the worker starts a new configuration at rung 0. No trial of rung 1 can be promoted right now.\n\n"
            f"Trial {m + 1} has just finished rung 0 and its worker is free. Which trial does it promote to rung "
            f"1? Answer with the trial's number as a whole number, or 0 if it starts a new configuration."
        )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("trial promoted (0 = new configuration)?", NumberAnswer(answer, tolerance=0)),),
            solution=_asha_solution(losses, promoted, eta, answer, mistakes),
            data={
                "ask": "asha",
                "eta": eta,
                "r": r,
                "losses": losses,
                "promoted": sorted(promoted),
                "answers": [answer],
                "mistakes": {name: [value] for name, value in mistakes.items()},
            },
            table=table,
        )


def asha_ranking(losses: list[float]) -> list[int]:
    """Trial numbers (1-based, in completion order) from the lowest loss up."""
    return sorted(range(1, len(losses) + 1), key=lambda trial: losses[trial - 1])


def asha_pick(losses: list[float], promoted: set[int], eta: int, *, round_up: bool = False) -> int:
    """The trial ASHA promotes: the best not yet promoted among the top ⌊m/η⌋ (⌈m/η⌉ for the slip), else 0."""
    m = len(losses)
    top = asha_ranking(losses)[: -(-m // eta) if round_up else m // eta]
    return next((trial for trial in top if trial not in promoted), 0)


def asha_promoted(losses: list[float], eta: int) -> set[int]:
    """The trials promoted by the time ``losses`` have all completed, one decision after each completion."""
    promoted: set[int] = set()
    for done in range(1, len(losses) + 1):
        trial = asha_pick(losses[:done], promoted, eta)
        if trial:
            promoted.add(trial)
    return promoted


def _asha_values(losses: list[float], promoted: set[int], eta: int) -> tuple[int, dict[str, int]]:
    """The trial promoted now (0: a new configuration) and each slip that gives another answer."""
    newest = len(losses)
    right = asha_pick(losses, promoted, eta)
    top = asha_ranking(losses)[: newest // eta]
    slips = {
        "rounded_up": asha_pick(losses, promoted, eta, round_up=True),
        "only_newest": newest if newest in top else 0,
        "best_even_if_promoted": asha_ranking(losses)[0],
        "wait_for_rung": 0,
    }
    return right, {name: value for name, value in slips.items() if value != right}


def _asha_solution(
    losses: list[float], promoted: set[int], eta: int, answer: int, mistakes: dict[str, int]
) -> str:
    m = len(losses)
    k = m // eta
    ranking = asha_ranking(losses)
    ranked = ", ".join(
        f"{trial} ({losses[trial - 1]:.3f}{', promoted' if trial in promoted else ''})"
        for trial in ranking[: k + 2]
    )
    outranked = sorted(trial for trial in promoted if trial not in ranking[:k])
    lines = [
        f"With trial {m} done, m = {m} trials have completed rung 0, so the top ⌊{m}/{eta}⌋ = {k} may be "
        f"promoted. Best first: {ranked}, …",
    ]
    if answer:
        lines.append(
            f"Among the top {k}, trial {answer} is the best not yet promoted: it goes to rung 1. Answer: "
            f"**{answer}**."
        )
    else:
        lines.append(
            f"All of the top {k} have been promoted already, so the worker starts a new configuration at rung 0. "
            "Answer: **0**."
        )
    if outranked:
        lines.append(
            f"Trial{'s' if len(outranked) > 1 else ''} {', '.join(map(str, outranked))} "
            f"{'were' if len(outranked) > 1 else 'was'} promoted when fewer results were in and "
            f"{'have' if len(outranked) > 1 else 'has'} since been outranked: ASHA accepts a few such promotions "
            "as the price of never waiting for a rung to fill."
        )
    slips = []
    if "rounded_up" in mistakes:
        slips.append(f"taking the top ⌈{m}/{eta}⌉ = {-(-m // eta)} gives {mistakes['rounded_up']}")
    if "only_newest" in mistakes:
        slips.append(f"looking only at the trial that just finished gives {mistakes['only_newest']}")
    if "best_even_if_promoted" in mistakes:
        slips.append(
            f"promoting the rung's best, trial {mistakes['best_even_if_promoted']}, would run it twice: it is "
            "already on rung 1"
        )
    if "wait_for_rung" in mistakes:
        slips.append("waiting for the rung to fill (0) is synchronous halving, which leaves the worker idle")
    lines.append("Slips: " + "; ".join(slips) + ".")
    return "\n\n".join(lines)


def _hyperband_values(s_max: int, eta: int, bracket: int | None) -> tuple[list[int], dict[str, list[int]]]:
    """The answers (brackets, configs) and each slip as a full answer: one part wrong, the other right."""
    brackets = s_max + 1
    configs = hyperband_brackets(s_max, eta)
    if bracket is None:
        right = sum(configs)
        slips = {
            "eta_power_alone": sum(eta**s for s in range(s_max + 1)),
            "off_by_one_s_max": sum(hyperband_brackets(s_max - 1, eta)),
            "no_ceiling": sum((s_max + 1) * eta**s // (s + 1) for s in range(s_max + 1)),
            "first_bracket_only": configs[0],
        }
    else:
        right = configs[s_max - bracket]
        slips = {
            "eta_power_alone": eta**bracket,
            "off_by_one_s_max": -(-s_max * eta**bracket // (bracket + 1)),
            "no_ceiling": (s_max + 1) * eta**bracket // (bracket + 1),
        }
    mistakes = {"off_by_one_brackets": [s_max, right]}
    # Flooring changes nothing when the ratio is whole; the other slips are kept, and the caller redraws an
    # instance where one of them happens to equal the answer.
    mistakes.update({name: [brackets, v] for name, v in slips.items() if name != "no_ceiling" or v != right})
    return [brackets, right], mistakes


def _rungs_table(rungs: list[Rung]) -> str:
    return "\n".join(
        [
            "| rung | configs | epochs each |",
            "|---|---|---|",
            *(f"| {i} | {rung.configs} | {rung.epochs} |" for i, rung in enumerate(rungs)),
        ]
    )


def _rungs_solution(
    n: int,
    r: int,
    eta: int,
    max_epochs: int,
    k_n: int,
    k_r: int,
    rungs: list[Rung],
    mistakes: dict[str, list[int]],
) -> str:
    k = len(rungs) - 1
    counts = " → ".join(str(rung.configs) for rung in rungs)
    if k_r < k_n:
        why = (
            f"Epochs grow {r}, {', '.join(str(rung.epochs) for rung in rungs[1:])}: rung {k} reaches R = "
            f"{max_epochs} = {r}·{eta}^{k_r}, so **R ends the run** with {rungs[-1].configs} configurations still "
            f"in it (the best of them wins). Without the cap, the configs would last "
            f"{mistakes['other_limit'][0]} rungs, since {eta}^{k_n} ≤ {n} < {eta}^{k_n + 1}."
        )
    else:
        why = (
            f"Rung {k} has {_count(rungs[-1].configs, 'configuration')}, fewer than "
            f"η = {eta}, so **too few configurations end the run** at {rungs[-1].epochs} epochs, before R = "
            f"{max_epochs}: {eta}^{k_n} ≤ {n} < {eta}^{k_n + 1}, so there are 1 + ⌊log_{eta} {n}⌋ = {k + 1} rungs. R "
            f"alone would allow {mistakes['other_limit'][0]} (1 + log_{eta}({max_epochs}/{r}))."
        )
    return "\n\n".join(
        [
            f"Rounding down at each rung: {counts}.",
            _rungs_table(rungs),
            why,
            f"Rungs: **{k + 1}**, counting rung 0 ({k} is the number of promotions). Configs in the last rung: "
            f"⌊{n}/{eta}^{k}⌋ = **{rungs[-1].configs}**.",
            f"Rounding survivors up, ⌈m/η⌉ as scikit-learn's halving searches do, would leave "
            f"⌈{n}/{eta}^{k}⌉ = {mistakes['rounded_up'][1]} in rung {k}.",
        ]
    )


def _budget_solution(
    n: int,
    eta: int,
    max_epochs: int,
    rungs: list[Rung],
    retrain: bool,
    total: int,
    mistakes: dict[str, list[int]],
) -> str:
    terms, before = [], 0
    for rung in rungs:
        extra = rung.epochs if retrain else rung.epochs - before
        terms.append(f"{rung.configs} × {extra}")
        before = rung.epochs
    stop = (
        f"the run stops at R = {max_epochs} epochs"
        if rungs[-1].epochs * eta > max_epochs
        else f"the run stops after rung {len(rungs) - 1}, where only {_count(rungs[-1].configs, 'configuration')} "
        f"{'is' if rungs[-1].configs == 1 else 'are'} left, fewer than η = {eta}"
    )
    rule = (
        "Retraining from scratch: each rung costs configs × its epochs."
        if retrain
        else "Resuming from checkpoints: each rung costs configs × the extra epochs since the rung before."
    )
    other = "Resuming from checkpoints" if retrain else "Retraining from scratch"
    return "\n\n".join(
        [
            f"Rungs (survivors rounded down; {stop}): "
            + ", ".join(
                f"{_count(rung.configs, 'config')} to {_count(rung.epochs, 'epoch')}" for rung in rungs
            )
            + ".",
            rule,
            f"Total = {' + '.join(terms)} = **{total}** epochs.",
            f"{other} instead would cost {mistakes['other_convention'][0]}. Training all {n} configurations to "
            f"R = {max_epochs} epochs (plain random search) would cost {mistakes['all_to_max'][0]}; leaving out "
            f"the last rung gives {mistakes['no_last_rung'][0]}.",
        ]
    )


def _hyperband_solution(
    r: int,
    max_epochs: int,
    eta: int,
    s_max: int,
    bracket: int | None,
    answers: list[int],
    mistakes: dict[str, list[int]],
) -> str:
    configs = hyperband_brackets(s_max, eta)
    rows = "\n".join(
        f"| {s} | ⌈{s_max + 1}·{eta}^{s}/{s + 1}⌉ = {n} | {max_epochs // eta**s} |"
        for s, n in zip(range(s_max, -1, -1), configs, strict=True)
    )
    lines = [
        f"The most aggressive bracket starts at r = R·η^(−s_max), so η^s_max = R/r = {max_epochs}/{r} = "
        f"{max_epochs // r} = {eta}^{s_max}: s_max = {s_max}, and brackets s = {s_max}, …, 0 make "
        f"**{answers[0]}** brackets (s_max = {s_max} alone is the off-by-one).",
        f"| bracket s | configs sampled | epochs at start |\n|---|---|---|\n{rows}",
    ]
    if bracket is None:
        lines.append(
            f"Over all brackets: {' + '.join(map(str, configs))} = **{answers[1]}** configurations. Only the "
            f"most aggressive bracket would give {configs[0]}; η^s alone gives "
            f"{mistakes['eta_power_alone'][1]}; taking s_max = {s_max - 1} gives "
            f"{mistakes['off_by_one_s_max'][1]}."
        )
    else:
        lines.append(
            f"Bracket s = {bracket}: ⌈{s_max + 1}·{eta}^{bracket}/{bracket + 1}⌉ = "
            f"⌈{fmt_ratio((s_max + 1) * eta**bracket, bracket + 1)}⌉ = **{answers[1]}** configurations, each "
            f"started at {max_epochs // eta**bracket} epochs. η^s alone gives {eta**bracket}: the factor "
            f"(s_max + 1)/(s + 1) gives each bracket about the same total budget, (s_max + 1)·R epochs."
        )
    return "\n\n".join(lines)


def _count(number: int, noun: str) -> str:
    """ "1 epoch", "3 epochs": a whole count with its noun."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def fmt_ratio(numerator: int, denominator: int) -> str:
    """numerator/denominator as a short decimal (the value inside a ceiling), exact when whole."""
    if numerator % denominator == 0:
        return str(numerator // denominator)
    return f"{numerator / denominator:.2f}".rstrip("0").rstrip(".")
