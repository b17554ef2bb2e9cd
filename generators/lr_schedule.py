"""`lr-schedule`: the learning rate at step t under common schedules.

Step decay (``StepLR`` / ``MultiStepLR``), cosine annealing (``CosineAnnealingLR``), cosine with warm
restarts (``CosineAnnealingWarmRestarts``), and linear warm-up followed by cosine or linear decay (Hugging
Face's ``get_cosine_schedule_with_warmup`` / ``get_linear_schedule_with_warmup``). Steps (or epochs) are
counted from 0, as PyTorch's schedulers count them: the value at t is the learning rate used after
``scheduler.step()`` has been called t times, so StepLR(step_size=30) already uses the decayed rate in
epoch 30. Expected values come from vectorised numpy closed forms; the tests replay PyTorch's recursive
(chainable) update rules in plain Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from generators._arrays import distinct
from generators.base import Figure, Generator, NumberAnswer, Params, Part, Problem, Series, fmt

Kind = Literal["step", "cosine", "cosine_restarts", "warmup_cosine", "warmup_linear"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
MAX_POINTS = 300  # the figure is downsampled to at most this many points


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str
    base_lr: float
    total: int  # steps (or epochs) in the run; t ranges over 0 .. total − 1
    unit: str = "step"  # "step" or "epoch"
    step_size: int = 0  # StepLR
    milestones: tuple[int, ...] = ()  # MultiStepLR (used instead of step_size when given)
    gamma: float = 0.1
    t_max: int = 0  # CosineAnnealingLR
    eta_min: float = 0.0
    t_0: int = 0  # CosineAnnealingWarmRestarts
    t_mult: int = 1
    warmup: int = 0  # Hugging Face warm-up steps
    extra: dict[str, str] = field(default_factory=dict)

    def lr(self, t: np.ndarray) -> np.ndarray:
        """The learning rate at 0-based steps ``t`` (vectorised closed forms)."""
        t = np.asarray(t, dtype=float)
        match self.kind:
            case "step":
                if self.milestones:
                    passed = np.searchsorted(np.array(self.milestones), t, side="right")
                else:
                    passed = np.floor(t / self.step_size)
                return self.base_lr * self.gamma**passed
            case "cosine":
                return self.eta_min + (self.base_lr - self.eta_min) * (1 + np.cos(np.pi * t / self.t_max)) / 2
            case "cosine_restarts":
                t_cur, t_i = restart_position(t, self.t_0, self.t_mult)
                return self.eta_min + (self.base_lr - self.eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2
            case "warmup_cosine" | "warmup_linear":
                warm = t / max(1, self.warmup)
                progress = (t - self.warmup) / max(1, self.total - self.warmup)
                if self.kind == "warmup_cosine":
                    decay = np.maximum(0.0, 0.5 * (1 + np.cos(np.pi * progress)))
                else:
                    decay = np.maximum(0.0, (self.total - t) / max(1, self.total - self.warmup))
                return self.base_lr * np.where(t < self.warmup, warm, decay)
        raise ValueError(f"unknown schedule {self.kind!r}")

    def code(self) -> str:
        match self.kind:
            case "step":
                if self.milestones:
                    return f"MultiStepLR(optimizer, milestones={list(self.milestones)}, gamma={fmt(self.gamma)})"
                return f"StepLR(optimizer, step_size={self.step_size}, gamma={fmt(self.gamma)})"
            case "cosine":
                return f"CosineAnnealingLR(optimizer, T_max={self.t_max}, eta_min={_lr(self.eta_min)})"
            case "cosine_restarts":
                return (f"CosineAnnealingWarmRestarts(optimizer, T_0={self.t_0}, T_mult={self.t_mult}, "
                        f"eta_min={_lr(self.eta_min)})")
            case "warmup_cosine":
                return (f"get_cosine_schedule_with_warmup(optimizer, num_warmup_steps={self.warmup}, "
                        f"num_training_steps={self.total})")
        return (f"get_linear_schedule_with_warmup(optimizer, num_warmup_steps={self.warmup}, "
                f"num_training_steps={self.total})")


def restart_position(t: np.ndarray, t_0: int, t_mult: int) -> tuple[np.ndarray, np.ndarray]:
    """(T_cur, T_i) of CosineAnnealingWarmRestarts at integer steps t: position in the current cycle, its length."""
    t = np.asarray(t, dtype=float)
    if t_mult == 1:
        return np.mod(t, t_0), np.full_like(t, float(t_0))
    # Cycles have lengths T_0·m^k; cycle k starts at T_0·(m^k − 1)/(m − 1).
    k = np.floor(np.log(t / t_0 * (t_mult - 1) + 1) / np.log(t_mult) + 1e-12)
    start = t_0 * (t_mult**k - 1) / (t_mult - 1)
    return t - start, t_0 * t_mult**k


def _lr(x: float) -> str:
    """Learning rates as people write them: 0.1, 0.05, 3e-4, 2.5e-5 (4 significant figures at most)."""
    if x == 0:
        return "0"
    if x >= 0.01:
        return f"{x:.4g}"
    mantissa, exponent = f"{x:.3e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


class LRScheduleParams(Params):
    schedule: Kind | None = None


@dataclass(frozen=True, slots=True)
class Setup:
    context: str
    schedule: Schedule


def _setup(rng: np.random.Generator, kind: str) -> Setup:
    pick = lambda values: values[int(rng.integers(len(values)))]  # noqa: E731 - tiny local helper
    match kind:
        case "step":
            options = [
                ("Training a ResNet-50 on ImageNet with SGD (lr 0.1) for 90 epochs",
                 Schedule("step", 0.1, 90, "epoch", step_size=30, gamma=0.1)),
                ("Training a ResNet-56 on CIFAR-10 with SGD (lr 0.1) for 180 epochs",
                 Schedule("step", 0.1, 180, "epoch", milestones=(90, 135), gamma=0.1)),
                ("Training a small CNN with Adam (lr 1e-3) for 50 epochs",
                 Schedule("step", 1e-3, 50, "epoch", step_size=10, gamma=0.5)),
                ("Fine-tuning a detector with SGD (lr 0.02) for 24 epochs (the '2x' schedule)",
                 Schedule("step", 0.02, 24, "epoch", milestones=(16, 22), gamma=0.1)),
                ("Training an LSTM language model with SGD (lr 1.0) for 40 epochs",
                 Schedule("step", 1.0, 40, "epoch", step_size=int(pick([4, 5, 8])), gamma=float(pick([0.5, 0.8])))),
            ]
        case "cosine":
            options = [
                ("Training a WideResNet on CIFAR-10 with SGD (lr 0.1) for 200 epochs",
                 Schedule("cosine", 0.1, 200, "epoch", t_max=200, eta_min=0.0)),
                ("Training a ResNet-18 with SGD (lr 0.05) for 100 epochs",
                 Schedule("cosine", 0.05, 100, "epoch", t_max=100, eta_min=float(pick([0.0, 1e-4, 5e-4])))),
                ("Training a ViT with AdamW (lr 1e-3) for 300 epochs",
                 Schedule("cosine", 1e-3, 300, "epoch", t_max=300, eta_min=1e-5)),
                ("Training a segmentation net with Adam (lr 3e-4) for 20,000 steps",
                 Schedule("cosine", 3e-4, 20000, "step", t_max=20000, eta_min=float(pick([0.0, 1e-6])))),
            ]
        case "cosine_restarts":
            options = [
                ("Training a ResNet with SGDR (SGD with warm restarts, lr 0.05) for 150 epochs",
                 Schedule("cosine_restarts", 0.05, 150, "epoch", t_0=10, t_mult=2, eta_min=0.0)),
                ("Training a CNN with SGD (lr 0.1) and warm restarts for 100 epochs",
                 Schedule("cosine_restarts", 0.1, 100, "epoch", t_0=int(pick([10, 20, 25])), t_mult=1,
                          eta_min=float(pick([0.0, 1e-3])))),
                ("Training a tabular MLP with AdamW (lr 2e-3) and warm restarts for 70 epochs",
                 Schedule("cosine_restarts", 2e-3, 70, "epoch", t_0=int(pick([5, 10])), t_mult=2, eta_min=1e-5)),
            ]
        case "warmup_cosine":
            total = int(pick([10000, 20000, 50000, 100000]))
            options = [
                ("Pre-training a small GPT with AdamW (peak lr 6e-4)",
                 Schedule("warmup_cosine", 6e-4, total, warmup=int(pick([1000, 2000])))),
                ("Training a ViT-S from scratch with AdamW (peak lr 1e-3)",
                 Schedule("warmup_cosine", 1e-3, total, warmup=total // 20)),
                ("Fine-tuning a Llama-style model with LoRA (peak lr 2e-4)",
                 Schedule("warmup_cosine", 2e-4, 3000, warmup=int(pick([100, 300])))),
            ]
        case _:
            epochs, per_epoch = int(pick([2, 3, 4])), int(pick([500, 1200, 2500]))
            total = epochs * per_epoch
            options = [
                (f"Fine-tuning BERT-base on a classification task with AdamW (peak lr 2e-5), {epochs} epochs of "
                 f"{per_epoch:,} steps",
                 Schedule("warmup_linear", 2e-5, total, warmup=int(round(total * float(pick([0.06, 0.1])))))),
                (f"Fine-tuning RoBERTa-large with AdamW (peak lr 1e-5), {epochs} epochs of {per_epoch:,} steps",
                 Schedule("warmup_linear", 1e-5, total, warmup=int(round(total * 0.06)))),
                (f"Fine-tuning a T5 model with AdamW (peak lr 3e-4), {epochs} epochs of {per_epoch:,} steps",
                 Schedule("warmup_linear", 3e-4, total, warmup=int(round(total * float(pick([0.05, 0.1])))))),
            ]
    context, schedule = options[int(rng.integers(len(options)))]
    return Setup(context, schedule)


def _interesting_steps(schedule: Schedule) -> list[int]:
    """Steps worth asking about: boundaries (where the off-by-one convention matters) and a few inside."""
    s = schedule
    match s.kind:
        case "step":
            edges = list(s.milestones) if s.milestones else list(range(s.step_size, s.total, s.step_size))
            return [e for e in edges if e < s.total] + [e - 1 for e in edges if e > 0]
        case "cosine_restarts":
            starts, length, start = [], s.t_0, 0
            while start < s.total:
                starts.append(start)
                start, length = start + length, length * s.t_mult
            return [x for x in starts[1:] if x < s.total] + [x - 1 for x in starts[1:] if x - 1 < s.total]
        case "warmup_cosine" | "warmup_linear":
            return [s.warmup, s.warmup // 2, s.warmup // 4, (s.warmup + s.total) // 2]
    return [s.t_max // 2, s.t_max // 4]


def _pick_step(rng: np.random.Generator, schedule: Schedule) -> int:
    """A boundary half the time, otherwise any step; never one where the rate is (nearly) zero."""
    floor = 0.005 * schedule.base_lr
    candidates = [t for t in _interesting_steps(schedule) if 0 < t < schedule.total]
    for _ in range(100):
        if candidates and rng.random() < 0.5:
            t = int(rng.choice(candidates))
        else:
            t = int(rng.integers(1, schedule.total))
            if schedule.total > 1000:
                t = int(round(t, -1 if t < 1000 else -2))  # round step numbers, as people would ask
        if 0 < t < schedule.total and float(schedule.lr(np.array([t]))[0]) >= floor:
            return t
    return 1  # pragma: no cover - every schedule has a usable rate at step 1


class LRSchedule(Generator):
    name = "lr-schedule"
    title = "Learning-rate schedules"
    description = (
        "The learning rate at step t for step decay, cosine annealing (optionally with warm restarts), and "
        "linear warm-up followed by cosine or linear decay; 0-based steps as PyTorch's schedulers count."
    )
    Params = LRScheduleParams
    topics = ("optimisers", "deep-learning", "training")

    def make(self, rng: np.random.Generator, seed: int, params: LRScheduleParams) -> Problem:
        kind = params.schedule or str(rng.choice(KINDS))
        setup = _setup(rng, kind)
        s = setup.schedule
        t = _pick_step(rng, s)
        value = float(s.lr(np.array([t]))[0])
        unit = s.unit
        library = "Hugging Face `transformers`" if kind.startswith("warmup") else "`torch.optim.lr_scheduler`"
        runs = (f"The run lasts {s.total:,} {unit}s; `scheduler.step()` is called once per {unit}."
                if kind.startswith("warmup") or unit == "epoch" else
                f"`scheduler.step()` is called once per optimiser step ({s.total:,} in total).")
        prompt = (
            f"{setup.context}, with this schedule from {library}:\n\n```python\n{s.code()}\n```\n\n"
            f"{runs} {_capital(unit)}s are counted from 0, as the scheduler counts them: {unit} t uses the rate "
            f"set after t calls to `scheduler.step()`.\n\n"
            f"What is the learning rate during **{unit} {t:,}**? Answer to 3 significant figures (e.g. 2.5e-4)."
        )
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"lr at {unit} {t:,}?", answer=NumberAnswer(value, significant=3)),),
            solution=_solution(s, t, value),
            data={"schedule": kind, "base_lr": s.base_lr, "total": s.total, "unit": unit, "t": t,
                  "config": _config(s), "lr": value},
            figure=_figure(s, t),
        )


def _config(s: Schedule) -> dict[str, object]:
    match s.kind:
        case "step":
            return {"milestones": list(s.milestones), "gamma": s.gamma} if s.milestones else \
                {"step_size": s.step_size, "gamma": s.gamma}
        case "cosine":
            return {"T_max": s.t_max, "eta_min": s.eta_min}
        case "cosine_restarts":
            return {"T_0": s.t_0, "T_mult": s.t_mult, "eta_min": s.eta_min}
    return {"num_warmup_steps": s.warmup, "num_training_steps": s.total}


def _figure(s: Schedule, t: int) -> Figure:
    steps = distinct(np.linspace(0, s.total - 1, min(s.total, MAX_POINTS)).round().astype(int))
    lrs = s.lr(steps)
    return Figure(title=f"learning rate ({s.kind.replace('_', ' ')})", x_label=s.unit, y_label="learning rate",
                  series=(Series("lr", tuple(float(x) for x in steps), tuple(float(y) for y in lrs)),),
                  y_range=(0.0, float(s.base_lr) * 1.05))


def _solution(s: Schedule, t: int, value: float) -> str:
    lines: list[str] = []
    base = _lr(s.base_lr)
    answer = f"**{_lr(value)}**"
    match s.kind:
        case "step":
            if s.milestones:
                passed = sum(1 for m in s.milestones if m <= t)
                lines.append(f"MultiStepLR multiplies by γ = {fmt(s.gamma)} at each milestone reached: milestones "
                             f"≤ {t} are {[m for m in s.milestones if m <= t] or 'none'}, i.e. {passed}.")
            else:
                passed = t // s.step_size
                lines.append(f"StepLR multiplies by γ = {fmt(s.gamma)} every {s.step_size} {s.unit}s: "
                             f"⌊{t} / {s.step_size}⌋ = {passed} decays so far.")
            lines.append(f"lr = {base} × {fmt(s.gamma)}^{passed} = {answer}")
            lines.append(f"Off-by-one check: the decay applies from {s.unit} {s.milestones[0] if s.milestones else s.step_size} "
                         f"itself (0-based), because the scheduler has been stepped that many times by then.")
        case "cosine":
            frac = t / s.t_max
            lines.append("CosineAnnealingLR: lr = η_min + (η_max − η_min)·(1 + cos(π·t / T_max)) / 2.")
            cosine = math.cos(math.pi * frac)
            lines.append(f"t / T_max = {t} / {s.t_max} = {fmt(frac, 4)}; cos(π × {fmt(frac, 4)}) = {fmt(cosine, 4)}.")
            lines.append(f"lr = {_lr(s.eta_min)} + ({base} − {_lr(s.eta_min)}) × (1 {'+' if cosine >= 0 else '−'} "
                         f"{fmt(abs(cosine), 4)}) / 2 = {answer}")
            lines.append("Cosine spends little time at the top and the bottom and decays fastest mid-run; halfway "
                         "through it is exactly at the midpoint of η_max and η_min.")
        case "cosine_restarts":
            t_cur, t_i = (float(v[0]) for v in restart_position(np.array([t]), s.t_0, s.t_mult))
            cycles = (f"cycles last T_0 = {s.t_0} {s.unit}s each" if s.t_mult == 1 else
                      f"cycle lengths are {s.t_0}, {s.t_0 * s.t_mult}, {s.t_0 * s.t_mult**2}, … (T_mult = {s.t_mult})")
            lines.append(f"Warm restarts: {cycles}. At {s.unit} {t} the current cycle has length T_i = {int(t_i)} and "
                         f"we are T_cur = {int(t_cur)} {s.unit}s into it.")
            lines.append(f"lr = η_min + (η_max − η_min)·(1 + cos(π·T_cur / T_i)) / 2 = {_lr(s.eta_min)} + "
                         f"({base} − {_lr(s.eta_min)}) × (1 + cos(π × {int(t_cur)} / {int(t_i)})) / 2 = {answer}")
            lines.append("At each restart the rate jumps back to η_max: the jolt can move the weights to a new "
                         "basin, and the end of each cycle is a natural snapshot for an ensemble.")
        case "warmup_cosine" | "warmup_linear":
            if t < s.warmup:
                lines.append(f"{s.unit} {t} < {s.warmup} warm-up steps: lr = peak × t / warmup = {base} × {t} / "
                             f"{s.warmup} = {answer}")
            else:
                progress = (t - s.warmup) / (s.total - s.warmup)
                lines.append(f"After warm-up: progress = (t − warmup) / (total − warmup) = ({t} − {s.warmup}) / "
                             f"({s.total} − {s.warmup}) = {fmt(progress, 4)}.")
                if s.kind == "warmup_cosine":
                    lines.append(f"lr = peak × 0.5·(1 + cos(π × {fmt(progress, 4)})) = {base} × "
                                 f"{fmt(0.5 * (1 + math.cos(math.pi * progress)), 4)} = {answer}")
                else:
                    lines.append(f"lr = peak × (total − t) / (total − warmup) = {base} × {fmt(1 - progress, 4)} = {answer}")
            lines.append("Warm-up protects Adam-type optimisers early on, when the second-moment estimates are "
                         "noisy and large steps can destabilise training (especially with post-LN transformers).")
    return "\n\n".join(lines)


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]
