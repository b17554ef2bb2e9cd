"""The registry of problem families, by name.

Decks only ever *name* a generator; the name is looked up here. Built-in families are listed below
and imported on first use (so loading decks does not import scikit-learn). Third-party families
register through the ``quizzer.generators`` entry-point group, which is read only when a name is
not built in, or when every family is listed.
"""

from __future__ import annotations

import importlib
from functools import cache

from generators.base import Generator

ENTRY_POINT_GROUP = "quizzer.generators"

# name -> "module:Class". Order is the order `quizzer generators list` shows.
BUILTIN: dict[str, str] = {
    "confusion-matrix": "generators.confusion_matrix:ConfusionMatrix",
    "cv-scheme": "generators.cv_scheme:CVScheme",
    "learning-curve": "generators.learning_curve:LearningCurve",
    "regression-metrics": "generators.regression_metrics:RegressionMetrics",
    "forecast-mase": "generators.forecast_mase:ForecastMase",
    "ranking-metrics": "generators.ranking_metrics:RankingMetrics",
    "recsys-topk": "generators.recsys_topk:RecsysTopK",
    "threshold-cost": "generators.threshold_cost:ThresholdCost",
    "bayes-rule": "generators.bayes_rule:BayesRule",
    "mle-map": "generators.mle_map:MleMap",
    "roc-pr": "generators.roc_pr:RocPr",
    "tree-split": "generators.tree_split:TreeSplit",
    "bootstrap-oob": "generators.bootstrap_oob:BootstrapOOB",
    "bias-variance": "generators.bias_variance:BiasVariance",
    "regularisation-path": "generators.regularisation_path:RegularisationPath",
    "gradient-step": "generators.gradient_step:GradientStep",
    "logistic": "generators.logistic:Logistic",
    "naive-bayes": "generators.naive_bayes:NaiveBayes",
    "knn-predict": "generators.knn_predict:KnnPredict",
    "svm-hinge": "generators.svm_hinge:SvmHinge",
    "softmax-xent": "generators.softmax_xent:SoftmaxXent",
    "info-theory": "generators.info_theory:InfoTheory",
    "distillation": "generators.distillation:Distillation",
    "nn-shapes": "generators.nn_shapes:NNShapes",
    "iou-nms": "generators.iou_nms:IouNms",
    "receptive-field": "generators.receptive_field:ReceptiveField",
    "attention": "generators.attention:Attention",
    "transformer-cost": "generators.transformer_cost:TransformerCost",
    "tfidf-cosine": "generators.tfidf_cosine:TfidfCosine",
    "bm25": "generators.bm25:BM25",
    "perplexity": "generators.perplexity:Perplexity",
    "bleu": "generators.bleu:Bleu",
    "kmeans-step": "generators.kmeans_step:KMeansStep",
    "pca-variance": "generators.pca_variance:PCAVariance",
    "ab-test": "generators.ab_test:ABTest",
    "class-imbalance": "generators.class_imbalance:ClassImbalance",
    "lr-schedule": "generators.lr_schedule:LRSchedule",
    "quantisation": "generators.quantisation:Quantisation",
    "q-learning": "generators.q_learning:QLearning",
    "off-policy": "generators.off_policy:OffPolicy",
    "conformal": "generators.conformal:Conformal",
    "kappa": "generators.kappa:Kappa",
    "successive-halving": "generators.successive_halving:SuccessiveHalving",
    "sketches": "generators.sketches:Sketches",
    "wer": "generators.wer:WER",
    "probability-puzzle": "generators.probability_puzzle:ProbabilityPuzzle",
    "training-compute": "generators.training_compute:TrainingCompute",
    "bayes-shrinkage": "generators.bayes_shrinkage:BayesShrinkage",
    "adversarial-linear": "generators.adversarial_linear:AdversarialLinear",
}


class UnknownGenerator(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown generator {self.name!r}; known: {', '.join(names())}"


def _load(target: str) -> Generator:
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls() if isinstance(cls, type) else cls


@cache
def _plugins() -> dict[str, object]:
    from importlib.metadata import entry_points  # here: it imports email, zipfile, csv... (1.6 MB)

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN}


@cache
def get(name: str) -> Generator:
    """The generator registered as ``name``; raises :class:`UnknownGenerator`."""
    if not isinstance(name, str):
        raise UnknownGenerator(repr(name))
    if name in BUILTIN:
        return _load(BUILTIN[name])
    plugin = _plugins().get(name)
    if plugin is None:
        raise UnknownGenerator(name)
    loaded = plugin.load()  # type: ignore[attr-defined]
    generator = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(generator, Generator):
        raise UnknownGenerator(name)
    return generator


def names() -> list[str]:
    return [*BUILTIN, *sorted(_plugins())]


def is_registered(name: str) -> bool:
    return name in BUILTIN or name in _plugins()


def all_generators() -> list[Generator]:
    return [get(name) for name in names()]
