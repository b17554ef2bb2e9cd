"""softmax-xent: scipy values vs sklearn.metrics.log_loss and math formulas; grading; lazy imports."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generators import get
from quizzer.grading import grade_parts

GEN = get("softmax-xent")
ROOT = Path(__file__).resolve().parents[2]


def textbook_softmax(logits: list[float]) -> list[float]:
    exps = [math.exp(z) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def test_probability_matches_formula() -> None:
    for seed in range(300):
        problem = GEN.generate(seed, {"ask": "probability"})
        d = problem.data
        probs = textbook_softmax(d["logits"])
        assert problem.expected == pytest.approx(probs[d["classes"].index(d["class"])], abs=1e-12)
        assert problem.expected >= 0.03  # "0" is never within tolerance


@pytest.mark.parametrize("batch_size", [None, 1, 2, 4])
def test_loss_matches_log_loss_and_formula(batch_size: int | None) -> None:
    from sklearn.metrics import log_loss

    for seed in range(200):
        params = {"ask": "loss"} | ({"batch_size": batch_size} if batch_size else {})
        problem = GEN.generate(seed, params)
        d = problem.data
        n = len(d["logits"])
        if batch_size:
            assert n == batch_size
        labels = d["label_indices"]
        manual = sum(-math.log(textbook_softmax(row)[y]) for row, y in zip(d["logits"], labels, strict=True)) / n
        assert problem.expected == pytest.approx(manual, rel=1e-10)
        if seed < 40:
            probs = np.array([textbook_softmax(row) for row in d["logits"]])
            sk = log_loss(labels, probs, labels=list(range(len(d["classes"]))))
            assert problem.expected == pytest.approx(sk, rel=1e-9)


def test_initial_loss_is_ln_k() -> None:
    ks = set()
    for seed in range(200):
        problem = GEN.generate(seed, {"ask": "initial_loss"})
        k = problem.data["n_classes"]
        ks.add(k)
        assert problem.expected == pytest.approx(math.log(k), rel=1e-12)
        assert f"{k:,}" in problem.prompt
    assert {10, 1000, 50257} <= ks


def test_deterministic_and_varied() -> None:
    for seed in (0, 5, 77, 10**12):
        assert GEN.generate(seed).to_json() == GEN.generate(seed).to_json()
    data = {json.dumps(GEN.generate(seed).to_json()["data"]) for seed in range(80)}
    assert len(data) >= 65  # initial-loss instances repeat by design (8 scenarios)
    assert {GEN.generate(seed).data["ask"] for seed in range(60)} == {"probability", "loss", "initial_loss"}


def test_params_validation() -> None:
    for bad in ({"batch_size": 0}, {"batch_size": 9}, {"ask": "focal"}, {"k": 3}):
        with pytest.raises(ValidationError):
            GEN.Params.model_validate(bad)


@pytest.mark.parametrize("seed", range(60))
def test_grading(seed: int) -> None:
    problem = GEN.generate(seed)
    value = problem.expected
    forms = [repr(value), f"{value:.3f}"]
    if value < 1:
        forms.append(f"{value * 100:.2f}%")
    for text in forms:
        assert grade_parts(problem.parts, text).correct, text
    assert not grade_parts(problem.parts, f"{value + 0.05:.4f}").correct
    assert not grade_parts(problem.parts, f"{value / math.log(10):.4f}").correct  # log10 instead of ln


def test_json_and_tables() -> None:
    for seed in range(40):
        problem = GEN.generate(seed)
        json.dumps(problem.to_json())
        assert "**" in problem.solution
        if problem.data["ask"] != "initial_loss":
            assert problem.table is not None
            assert all(len(row) == len(problem.table.headers) for row in problem.table.rows)


def test_import_does_not_load_sklearn() -> None:
    code = "import generators.softmax_xent, sys; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# -- scipy's floats without scipy --------------------------------------------------------------------


def test_softmax_and_log_softmax_are_scipys_floats_bit_for_bit() -> None:
    from scipy import special

    from generators.base import log_softmax, softmax

    rng = np.random.default_rng(7)
    for _ in range(500):
        shape = (int(rng.integers(1, 5)), int(rng.integers(2, 8)))
        logits = np.round(rng.normal(0, rng.choice([0.5, 1.6, 8, 300]), shape), int(rng.integers(0, 3)))
        for axis in (-1, 0, None):
            assert np.array_equal(softmax(logits, axis=axis), special.softmax(logits, axis=axis))
            assert np.array_equal(log_softmax(logits, axis=axis), special.log_softmax(logits, axis=axis))
    with_inf = np.array([[1.0, -np.inf, 2.0], [np.inf, 0.0, 1.0]])  # a non-finite max is taken as 0
    with np.errstate(invalid="ignore"):  # inf - inf in both
        ours, theirs = log_softmax(with_inf), special.log_softmax(with_inf, axis=-1)
    assert np.array_equal(ours, theirs, equal_nan=True)


def test_instances_are_those_scipy_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy import special

    import generators.softmax_xent as module

    ours = [GEN.generate(seed).to_json() for seed in range(150)]
    monkeypatch.setattr(module, "base_softmax", special.softmax)
    monkeypatch.setattr(module, "log_softmax", special.log_softmax)
    assert [GEN.generate(seed).to_json() for seed in range(150)] == ours
