"""Grade a typed answer to an open card against the card's key points.

An interviewer listens for a few things; the card lists them as ``points`` (:class:`KeyPoint`: the point, other
ways to say it in ``also``, and ``must`` for the ones without which the answer is wrong). This module decides, for
each point, whether a typed answer makes it, and proposes an SM-2 quality from the points made:

- The answer is cut into sentences, clauses and short runs of adjacent clauses, so a point made in one clause of
  a long answer is found, and a list spread over commas is still read as one statement.
- Each point and each of its ``also`` phrasings is compared with every piece by cosine similarity of TF-IDF
  vectors: word unigrams and bigrams after light stemming, plus character n-grams (which catch "zeroes" vs
  "zeroing", "TP/(TP+FP)" vs "TP / (TP + FP)"). The vectorisers are fitted on the deck's own text (backs,
  points, alternatives), so rare subject words weigh more than filler, and are cached per deck.
- Negation and swapped terms are read, not ignored: a word negated in the answer but asserted in the point ("does
  not reduce variance" vs "reduces variance"), or a contrast term replaced by its partner ("L2 zeroes weights" for
  "L1 zeroes weights", "TP/(TP+FN)" for "TP/(TP+FP)", "high variance" for "high bias"), makes that piece not count
  for that point; so does a negation in the clause just before the piece that covers words the point needs. A
  piece that says nearly all of a point's words with its negation turned over ("recall falls as the threshold is
  lowered" for "recall never falls ...") or a contrast term traded for its partner ("variance is systematic error"
  for "bias is systematic error") denies the point for the whole answer: another sentence that comes close to it no
  longer makes it, unless that sentence scores higher still or the denial is a clause read out of it.
- Words must be related to make a point. A sentence that lists five or more words with no relation between them (no
  verb "to be" or "has", preposition, article, pronoun, negation or symbol such as "=" or "/") is a keyword list
  ("precision recall threshold positives", "lasso, zero, coefficients, sparse") and makes no point, unless a clause
  of it keeps its words in the order the deck's own text uses ("precision punishes false alarms"). An ``also``
  phrasing of one or two terms ("reliability diagram", "walk-forward validation") only names a point: it counts in
  a sentence that says something more than it, never typed alone; and an answer of one or two terms makes no point
  through any phrasing, even a longer one that contains them.
- A phrasing need not repeat the point's contrast terms ("flags fewer items" for "precision rises as the threshold
  rises"): a piece that says a term's partner where the point's own text says the term ("recall rises ...") makes
  the point through none of its phrasings.
- A point is made when its best score reaches :data:`POINT_THRESHOLD`. The answer passes (quality 3 or more) only
  when every must-point is made. An empty answer, the question typed back, or an answer that reads as another
  card's answer gets no points at all.
- A point missed with a score just under the bar (:data:`UNSURE_THRESHOLD` or more, and not denied) is *close*: the
  words may be the reader's own for it. An answer whose only missing must-points are close is *unsure*: the grader
  does not propose a verdict it would get wrong about as often as right, and the learner grades it against the back.

The thresholds were fitted on two thirds of a hand-graded set of typed answers
(``tests/data/typed_answers.jsonl``) and checked on the other third (``tests/unit/test_keypoints.py``).
:data:`UNSURE_THRESHOLD` was chosen on the fitting splits of that set and of a second one written for cards of the
topic decks (``tests/data/typed_answers_topics.jsonl``): the highest bar at which the answers it still decides agree
with the hand grades 90% of the time; both held-out splits are reported in ``tests/benchmarks/bench_grader.py``. The rules
against gaming were set by hand against answers built to be wrong (``tests/benchmarks/probe_grader.py``), keeping
agreement on both splits where it was; no threshold was refitted for them.

scikit-learn is imported only when a deck is first graded, never at start-up.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from quizzer.decks.model import Deck, KeyPoint, OpenCard

# Fitted on the fitting split of tests/data/typed_answers.jsonl (see tests/benchmarks/bench_grader.py).
POINT_THRESHOLD = 0.40  # a point is made when its best similarity reaches this
TRACE_THRESHOLD = 0.2  # below this everywhere, the answer is about something else: quality 0
FULL_SHARE = 0.99  # share of points made for quality 5
GOOD_SHARE = 0.7  # share of points made for quality 4
PARTIAL_SHARE = 0.2  # a failing answer that still makes this share of the points gets 2, else 1
UNSURE_THRESHOLD = 0.35  # a missed point scoring this or more is close; only close must-points missing: unsure
COPY_THRESHOLD = 0.7  # similarity to the question above which the answer is the question typed back
OTHER_CARD_MARGIN = 0.05  # an answer closer by this to another card's points than to this card's is off-card
WORD_WEIGHT = 0.5  # weight of the word vectoriser in a similarity; the character vectoriser gets the rest
# Set by hand against tests/benchmarks/probe_grader.py, then checked on the fitting split (see the module docstring).
# A sentence of LIST_WORDS words or more with no relation between them is a keyword list and makes no point, unless a
# clause of it keeps IN_ORDER of its word pairs in an order the deck uses. A phrasing of at most LABEL_WORDS content
# terms ("reliability diagram", "multi-objective optimisation", "max_leaf_nodes") only names a point: it counts in a
# sentence that says something more about it.
LIST_WORDS = 5
IN_ORDER = 0.5
LABEL_WORDS = 2
# A piece holding this share of a point's content words, with another number of negation cues, that the point's
# best match does not outscore, denies the point (see _denies).
DENIAL_COVER = 0.8

_CACHE_SIZE = 16

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Sentence ends: . ! ? ; and new lines, but not a decimal point ("0.99") or an abbreviation like "e.g.".
_SENTENCE_END = re.compile(r"(?<![0-9])(?<!\be\.g)(?<!\bi\.e)[.!?;](?![0-9])|\n+")
_CLAUSE_BREAK = re.compile(
    r"[,:]?\s+(?:and|but|while|whereas|so|because|since|although|though|then|or|whilst)\s+|[,:]\s+|\s+[-–—]\s+|\(|\)",
    re.IGNORECASE,
)
_NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "without",
        "cannot",
        "none",
        "nor",
        "neither",
        "nothing",
        "non",
        "nobody",
        "nowhere",
        "hardly",
    }
)
_POSTFIX = frozenset({"none", "nothing"})
# Words that join a list without relating its items.
_LIST_WORDS = frozenset({"and", "or", "etc", "also", "plus"})
_TERM = re.compile(r"[^\W_]+(?:[-_'’][^\W_]+)*")  # a word, or words joined by "-" or "_": one term
_RELATION_SYMBOL = re.compile(r"[=<>/+*^~|→⇒≥≤∝(]")  # "(" glosses a term: "FP (false alarm)"
_NEGATED = "¬"  # what a negation cue becomes among the content words
_CONTRACTION = re.compile(r"\b(\w+)n['’]t\b", re.IGNORECASE)
_NEGATION_REACH = 4  # content words after a negation cue that it covers (the clause ends it anyway)

# Spellings that mean the same thing, folded before anything else so they match each other.
_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"\broot mean squared? error\b", "rmse"),
        (r"\bmean absolute percentage error\b", "mape"),
        (r"\bmean absolute error\b", "mae"),
        (r"\bmean squared? error\b", "mse"),
        (r"\bprecision[- ]recall\b", "pr"),
        (r"\btrue positive rate\b", "tpr"),
        (r"\bfalse positive rate\b", "fpr"),
        (r"\btrue negative rate\b", "tnr"),
        (r"\bfalse negative rate\b", "fnr"),
        (r"\btrue positives?\b", "tp"),
        (r"\bfalse positives?\b", "fp"),
        (r"\btrue negatives?\b", "tn"),
        (r"\bfalse negatives?\b", "fn"),
        (r"\btype (?:ii|2)\b", "typetwo"),  # spelled out: the stemmer would fold "typeii" into "typei"
        (r"\btype (?:i|1)\b", "typeone"),
        (r"\blasso\b", "l1"),
        (r"\bridge\b", "l2"),
        (r"\b(?:goes|go|going|went|gone|moves?|moving|moved) up\b", "increases"),
        (r"\b(?:goes|go|going|went|gone|moves?|moving|moved) down\b", "decreases"),
        (r"\b(?:rises|rise|rising|rose|risen)\b", "increases"),
        (r"\b(?:falls|fall|falling|fell|fallen|drops|drop|dropping|dropped)\b", "decreases"),
        (r"\bnon[- ]", "non "),
        (r"\bover[- ]", "over "),
        (r"\bunder[- ]", "under "),
    )
)

# Contrast terms, as words: a piece that names one where the point names the other makes the opposite claim. They are
# compared after :func:`stem` (``_PARTNERS``), so each is written as it is typed, never as a stem.
_CONTRASTS: tuple[tuple[str, str], ...] = (
    ("l1", "l2"),
    ("precision", "recall"),
    ("sensitivity", "specificity"),
    ("tpr", "fpr"),
    ("tnr", "fnr"),
    ("tp", "tn"),
    ("fp", "fn"),
    ("typeone", "typetwo"),
    ("mae", "rmse"),
    ("mae", "mse"),
    ("mrr", "ndcg"),
    ("small", "large"),
    ("small", "big"),
    ("deep", "shallow"),
    ("high", "low"),
    ("increases", "decreases"),
    ("raises", "lowers"),
    ("more", "less"),
    ("more", "fewer"),
    ("over", "under"),
    ("overfitting", "underfitting"),
    ("optimistic", "pessimistic"),
    ("expanding", "sliding"),
    ("growing", "fixed"),
    ("row", "column"),
    ("convex", "concave"),
    ("linear", "quadratic"),
    ("absolute", "squared"),
    ("roc", "pr"),
    ("learning", "validation"),
    ("maximum", "minimum"),
    ("add", "subtract"),
    ("future", "past"),
    ("rare", "balanced"),
    # Pairs a swapped answer confuses (found by tests/benchmarks/probe_grader.py).
    ("bias", "variance"),
    ("biased", "unbiased"),
    ("positive", "negative"),
    ("positives", "negatives"),
    ("before", "after"),
    ("reduces", "increases"),
    ("reduces", "raises"),
    ("lower", "raise"),
    ("maximise", "minimise"),
    ("maximises", "minimises"),
    ("overestimates", "underestimates"),
    ("encoder", "decoder"),
    ("bagging", "boosting"),
    ("sparse", "dense"),
    ("fast", "slow"),
    ("online", "offline"),
    ("earlier", "later"),
    ("earliest", "latest"),
)

_SUFFIXES = (
    "ational",
    "ization",
    "isation",
    "iveness",
    "fulness",
    "ously",
    "ation",
    "ement",
    "ments",
    "ities",
    "ising",
    "izing",
    "ness",
    "ment",
    "ised",
    "ized",
    "ings",
    "ity",
    "ing",
    "ies",
    "ied",
    "ive",
    "ise",
    "ize",
    "edly",
    "ed",
    "es",
    "ly",
    "er",
    "s",
    "e",
    "y",
)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light suffix stripper: "zeroes", "zeroing", "zeroed" -> "zero"; short words stay as they are."""
    word = word.casefold()
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":  # "shrinkk" never, "stopp" -> "stop"
        word = word[:-1]
    return word


_PARTNERS: dict[str, set[str]] = {}
for _a, _b in _CONTRASTS:
    _PARTNERS.setdefault(stem(_a), set()).add(stem(_b))
    _PARTNERS.setdefault(stem(_b), set()).add(stem(_a))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    keep = {
        "not",
        "no",
        "never",
        "without",
        "cannot",
        "none",
        "nor",
        "neither",
        "nothing",
        "more",
        "less",
        "fewer",
        "few",
        "over",
        "under",
        "first",
        "last",
        "all",
        "top",
        "bottom",
        "above",
        "below",
        "up",
        "down",
    }
    return frozenset(word for word in ENGLISH_STOP_WORDS if word not in keep) | {
        "s",
        "t",
        "eg",
        "ie",
        "e",
        "g",
        "i",
    }


_NOTATION = str.maketrans(
    {
        "²": "^2",
        "³": "^3",
        "ᵀ": "^t",
        "⁻": "^-",
        "¹": "1",
        "−": "-",
        "–": "-",
        "—": "-",
        "σ": "sigma",
        "λ": "lambda",
        "β": "beta",
        "ε": "epsilon",
        "δ": "delta",
        "Σ": "sum ",
        "√": "sqrt ",
        "·": "*",
        "×": "*",
        "≈": "~",
        "‖": "|",
        "̂": "hat",
    }
)


@lru_cache(maxsize=20_000)  # a deck's fit normalises each point and phrasing three or four times
def normalise(text: str) -> str:
    """Lower case, notation spelled out ("σ²" -> "sigma^2"), contractions spelled out ("doesn't" -> "does not"),
    synonyms folded ("false positives" -> "fp")."""
    text = text.translate(_NOTATION).replace("ŷ", "yhat")
    text = _CONTRACTION.sub(
        lambda m: f"{m.group(1)} not", text.replace("can't", "can not").replace("won't", "will not")
    )
    for pattern, replacement in _SYNONYMS:
        text = pattern.sub(replacement, text)
    return text.casefold()


def _content(text: str, stop: frozenset[str]) -> list[str]:
    """The stems of a normalised text's content words, with each negation cue kept as :data:`_NEGATED`."""
    words = []
    for word in _WORD.findall(text):
        if word in _NEGATIONS:
            words.append(_NEGATED)
        elif word not in stop:
            words.append(stem(word))
    return words


@dataclass(frozen=True, slots=True)
class _Polarity:
    """Which content stems a piece asserts and which it negates."""

    asserted: frozenset[str]
    negated: frozenset[str]


@lru_cache(maxsize=20_000)
def _polarity(normal_text: str) -> _Polarity:
    """What a normalised text asserts and negates."""
    asserted: set[str] = set()
    negated: set[str] = set()
    reach = 0
    previous = ""
    words = _WORD.findall(normal_text)
    cues = iter([word for word in words if word in _NEGATIONS])
    for word in _content(normal_text, _stop_words()):
        if word == _NEGATED:
            cue = next(cues, "")
            reach = _NEGATION_REACH
            if previous and cue in _POSTFIX:  # "zeroing none": these cues can follow their word
                negated.add(previous)
            continue
        if reach:
            negated.add(word)
            reach -= 1
        else:
            asserted.add(word)
        previous = word
    return _Polarity(frozenset(asserted - negated), frozenset(negated))


@dataclass(frozen=True, slots=True)
class _Piece:
    """A piece of the answer, with its polarity as a whole and the polarity of each of its clauses."""

    text: str
    whole: _Polarity
    clauses: tuple[_Polarity, ...]
    rest: _Polarity  # what the clauses after the piece in its sentence assert and negate
    before: _Polarity  # what the clause just before it asserts and negates


def contradicts(point: _Polarity, piece: _Piece) -> bool:
    """Does the piece deny what the point asserts, assert what it denies, or say of a contrast term's partner what
    the point says of the term ("L2 zeroes weights" against "L1 sets weights to zero", "precision never falls"
    against "recall never falls")?"""
    whole = piece.whole
    if point.negated & whole.asserted - point.asserted or point.asserted & whole.negated - whole.asserted:
        return True
    # Words the point needs but the piece leaves out are read in the rest of its sentence: "if bias is high, more
    # data will help" denies "more data will not help" even where only its first clause matches. A negation in the
    # clause just before the piece counts too: "more flexibility never lowers bias but raises variance" denies "more
    # flexibility lowers bias" in the run "raises variance". Only its negations: what it asserts is as often about
    # another subject ("L1 sets coefficients to zero, while L2 shrinks every coefficient" does not deny "L2 shrinks
    # without zeroing"), and further back the clauses are about something else too often.
    rest, absent = piece.rest, (point.asserted | point.negated) - whole.asserted - whole.negated
    if absent & (point.negated & rest.asserted - rest.negated | point.asserted & rest.negated):
        return True
    if absent & point.asserted & piece.before.negated:
        return True
    return swaps(point, piece)


def swaps(point: _Polarity, piece: _Piece) -> bool:
    """Does a clause of the piece say of a contrast term's partner what the point says of the term, with another of
    the point's words beside it ("L2 zeroes weights" against "L1 zeroes weights")?"""
    for term in point.asserted | point.negated:
        partners = _PARTNERS.get(term, set()) - point.asserted - point.negated
        if not partners:
            continue
        asserted = term in point.asserted
        for clause in piece.clauses:
            same = clause.asserted if asserted else clause.negated
            context = (point.asserted - {term}) & clause.asserted | (point.negated - {term}) & clause.negated
            if term not in same and partners & same and context:
                return True
    return False


def sentences(answer: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(answer) if _WORD.search(sentence)]


def segments(
    answer: str,
    rest: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
    home: dict[str, str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Sentences, their clauses, and runs of two or three adjacent clauses: where a point may be made.

    Maps each piece to the parts it is made of (a sentence is its own single part; a run, its clauses), so the
    features of a run are the sum of its clauses' features, counted once. ``rest``, if given, receives the clause
    just before each run and the clauses after it in its sentence; ``home``, the sentence each piece comes from."""
    found: dict[str, tuple[str, ...]] = {}
    for sentence in sentences(answer):
        clauses = [
            clause.strip() for clause in _CLAUSE_BREAK.split(sentence) if clause and _WORD.search(clause)
        ]
        found.setdefault(sentence, (sentence,))
        if home is not None:
            home.setdefault(sentence, sentence)
        if len(clauses) > 1:
            for width in (1, 2, 3):
                for start in range(len(clauses) - width + 1):
                    run = clauses[start : start + width]
                    found.setdefault(" ".join(run), tuple(run))
                    if rest is not None:
                        rest.setdefault(
                            " ".join(run),
                            (tuple(clauses[max(0, start - 1) : start]), tuple(clauses[start + width :])),
                        )
                    if home is not None:
                        home.setdefault(" ".join(run), sentence)
    return found


@lru_cache(maxsize=20_000)
def bare_words(normal_sentence: str) -> int:
    """How many content words a sentence lists without relating them, or 0 if it makes a statement.

    A statement relates its words: a verb "to be", "has" or "can", a preposition, an article, a pronoun, a negation
    ("L1 is sparse", "recall of the positives") or a symbol ("TP / (TP + FP)", "VIF > 5"). A bare list of subject
    words ("precision recall threshold positives", "lasso, zero, coefficients, sparse") relates nothing, however
    well its words match a point. Only "and" and "or" are no relation: they join a list; and a word joined to others
    by hyphens is one term ("one-hot", "out-of-fold", "re-split"), whatever its parts."""
    if _RELATION_SYMBOL.search(normal_sentence):
        return 0
    terms = _TERM.findall(normal_sentence)
    relations = _relation_words()
    if any(term in relations for term in terms):
        return 0
    return len(terms)


@lru_cache(maxsize=1)
def _relation_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) | _NEGATIONS) - _LIST_WORDS


def pieces(answer: str) -> list[str]:
    """The pieces of :func:`segments`, in order."""
    return list(segments(answer))


@dataclass(frozen=True, slots=True)
class PointResult:
    """One key point, judged against one answer."""

    text: str
    made: bool
    score: float  # best similarity of the point (or a phrasing in ``also``) to a piece of the answer, 0-1
    matched: tuple[str, ...]  # the answer's words that the best match shares with the point
    must: bool = False

    @property
    def close(self) -> bool:
        """Missed, but by a score just under the bar (not denied: a denied point scores at or above it)."""
        return not self.made and UNSURE_THRESHOLD <= self.score < POINT_THRESHOLD

    @property
    def mark(self) -> str:
        """How the drill and ``quizzer grade`` mark the point: ✓ made, ? close, ✗ missed."""
        return "✓" if self.made else "?" if self.close else "✗"

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "made": self.made,
            "close": self.close,
            "score": round(self.score, 3),
            "matched": list(self.matched),
            "must": self.must,
        }


@dataclass(frozen=True, slots=True)
class PointsGrade:
    """The verdict on a typed answer: each point made or missed, and the proposed SM-2 quality."""

    points: tuple[PointResult, ...]
    quality: int
    correct: bool
    refusal: str = ""  # why no point was credited at all ("empty", "question", "other card"), if so

    @property
    def made(self) -> int:
        return sum(point.made for point in self.points)

    @property
    def unsure(self) -> bool:
        """Not passed, but every must-point missed is close: the learner, not the grader, should decide."""
        missed = [point for point in _musts(self.points) if not point.made]
        return not self.correct and not self.refusal and bool(missed) and all(point.close for point in missed)

    def as_json(self) -> dict[str, Any]:
        return {
            "points": [point.as_json() for point in self.points],
            "quality": self.quality,
            "correct": self.correct,
            "unsure": self.unsure,
        }


def grades_typed_answers(card: object) -> bool:
    """Open cards with key points are graded from a typed answer; other cards keep reveal-and-self-grade."""
    return isinstance(card, OpenCard) and bool(card.points)


@lru_cache(maxsize=50_000)
def _char_grams(word: str) -> tuple[str, ...]:
    """Character 3- to 5-grams of one word padded with spaces (as scikit-learn's ``char_wb`` makes them)."""
    padded = f" {word} "
    if len(padded) <= 3:
        return (padded,)
    return tuple(padded[start : start + n] for n in (3, 4, 5) for start in range(len(padded) - n + 1))


def _char_features(text: str) -> list[str]:
    grams: list[str] = []
    for word in text.split():
        grams.extend(_char_grams(word))
    return grams


class _Space:
    """One TF-IDF space (word or character features) fitted on a deck: vocabulary, idf, and fast transforms.

    Transforming by hand, rather than through ``TfidfVectorizer.transform``, keeps grading an answer to a few
    milliseconds: a typed answer has a few dozen pieces and each piece only a few hundred features.
    """

    def __init__(self, analyzer: Callable[[str], list[str]], corpus: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        fitted = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit(corpus)
        self.analyzer = analyzer
        self.index: dict[str, int] = {feature: int(column) for feature, column in fitted.vocabulary_.items()}
        self.idf: list[float] = [float(value) for value in fitted.idf_]
        self.size = len(self.idf)

    def counts(self, normal_text: str) -> dict[int, int]:
        """How often each known feature occurs in the text (unknown features are dropped, as scikit-learn does)."""
        counts: dict[int, int] = {}
        index = self.index
        for feature in self.analyzer(normal_text):
            column = index.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        return counts

    def vector(self, normal_text: str) -> dict[int, float]:
        """The text's unit-length TF-IDF vector (1 + log tf, times idf), as {column: weight}."""
        return self.weigh(self.counts(normal_text))

    def weigh(self, counts: dict[int, int]) -> dict[int, float]:
        weights = {column: (1.0 + math.log(count)) * self.idf[column] for column, count in counts.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        return {column: weight / norm for column, weight in weights.items()}


def _dot(left: dict[int, float], right: dict[int, float]) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(weight * right.get(column, 0.0) for column, weight in left.items())


@dataclass(slots=True)
class _Vectors:
    """A text in both spaces."""

    word: dict[int, float]
    char: dict[int, float]

    def similarity(self, other: _Vectors) -> float:
        return WORD_WEIGHT * _dot(self.word, other.word) + (1 - WORD_WEIGHT) * _dot(self.char, other.char)


@dataclass(slots=True)
class _CardModel:
    """A card's points, vectorised once: one column per phrasing (the point's text, then its ``also``)."""

    variants: list[list[str]]  # per point: its text and its ``also`` phrasings
    polarities: list[list[_Polarity]]
    labels: list[list[bool]]  # per phrasing: does it only name the point (at most LABEL_WORDS content terms)?
    offsets: list[int]  # first column of each point's phrasings
    word_columns: dict[int, int]  # deck word feature -> row of ``word_matrix``
    char_columns: dict[int, int]
    word_matrix: Any  # numpy (features used by the phrasings x phrasings)
    char_matrix: Any
    front: _Vectors
    topic: _Vectors  # the card's back and all its phrasings, as one text


class DeckModel:
    """The TF-IDF spaces fitted on one deck's text, and each card's points vectorised once."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.stop = _stop_words()
        corpus: list[str] = []
        for card in deck.cards:
            if isinstance(card, OpenCard):
                corpus.extend(pieces(card.back))
                corpus.append(card.front)
                for point in card.points or ():
                    corpus.append(point.text)
                    corpus.extend(point.also)
        corpus = [normalise(text) for text in corpus] or ["empty"]
        self.words = _Space(self._word_features, corpus)
        self.chars = _Space(_char_features, corpus)
        self.cards: dict[str, _CardModel] = {}
        for card in deck.cards:
            if isinstance(card, OpenCard) and card.points:
                self.cards[card.id] = self._card_model(card)
        import numpy as np

        # Every card's topic as one dense row, so "is this answer closer to another card?" is one product.
        self.topic_ids = list(self.cards)
        self.topic_words = np.zeros((len(self.topic_ids), self.words.size))
        self.topic_chars = np.zeros((len(self.topic_ids), self.chars.size))
        for row, card_id in enumerate(self.topic_ids):
            topic = self.cards[card_id].topic
            for column, weight in topic.word.items():
                self.topic_words[row, column] = weight
            for column, weight in topic.char.items():
                self.topic_chars[row, column] = weight

    def _word_features(self, text: str) -> list[str]:
        words = [word for word in _content(text, self.stop) if word != _NEGATED]
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    def _statement(self, normal_sentence: str) -> frozenset[str] | None:
        """The content stems of a sentence of the answer, or None if it is a keyword list that states nothing.

        A sentence is a list when it relates none of its words (:func:`bare_words`), has at least
        :data:`LIST_WORDS` of them, and no clause of three or more content words keeps at least :data:`IN_ORDER` of
        its adjacent word pairs in an order the deck's own text uses: "precision punishes false alarms" is a
        statement without a relation word, "alarms precision false punishes" and "precision, recall, threshold,
        positives, cost" are lists."""
        content = frozenset(_content(normal_sentence, self.stop)) - {_NEGATED}
        if bare_words(normal_sentence) < LIST_WORDS:
            return content
        for clause in _CLAUSE_BREAK.split(normal_sentence):
            # Pairs across terms only: inside "log-sum-exp" the order is the term's, not the candidate's.
            terms = [words for term in _TERM.findall(clause or "") if (words := _content(term, self.stop))]
            if len(terms) >= 3:
                pairs = list(zip(terms, terms[1:], strict=False))
                known = sum(f"{left[-1]} {right[0]}" in self.words.index for left, right in pairs)
                if known >= IN_ORDER * len(pairs):
                    return content
        return None

    def _terms(self, normal_text: str) -> list[str]:
        """The terms of a text that hold a content word: "multi-objective optimisation" is two, "max_leaf_nodes" one."""
        return [term for term in _TERM.findall(normal_text) if set(_content(term, self.stop)) - {_NEGATED}]

    def vectors(self, text: str, *, normal: bool = False) -> _Vectors:
        text = text if normal else normalise(text)
        return _Vectors(self.words.vector(text), self.chars.vector(text))

    def _card_model(self, card: OpenCard) -> _CardModel:
        import numpy as np

        points: Sequence[KeyPoint] = card.points or ()
        variants = [[point.text, *point.also] for point in points]
        flat = [text for group in variants for text in group]
        offsets, column = [], 0
        for group in variants:
            offsets.append(column)
            column += len(group)
        vectors = [self.vectors(text) for text in flat]

        def matrix(parts: list[dict[int, float]]) -> tuple[dict[int, int], Any]:
            rows = {feature: row for row, feature in enumerate(sorted({f for part in parts for f in part}))}
            dense = np.zeros((len(rows), len(parts)))
            for col, part in enumerate(parts):
                for feature, weight in part.items():
                    dense[rows[feature], col] = weight
            return rows, dense

        word_columns, word_matrix = matrix([vector.word for vector in vectors])
        char_columns, char_matrix = matrix([vector.char for vector in vectors])
        polarities = [[_polarity(normalise(text)) for text in group] for group in variants]
        labels = [[len(self._terms(normalise(text))) <= LABEL_WORDS for text in group] for group in variants]
        topic = self.vectors(" ".join([card.back, *flat]))
        return _CardModel(
            variants,
            polarities,
            labels,
            offsets,
            word_columns,
            char_columns,
            word_matrix,
            char_matrix,
            self.vectors(card.front),
            topic,
        )

    def _scores(self, model: _CardModel, found: dict[str, tuple[str, ...]]) -> Any:
        """Similarity of each piece (rows) to each phrasing of each point (columns)."""
        import numpy as np

        words = np.zeros((len(found), len(model.word_columns)))
        chars = np.zeros((len(found), len(model.char_columns)))
        counted: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
        for row, parts in enumerate(found.values()):
            word_counts: dict[int, int] = {}
            char_counts: dict[int, int] = {}
            for part in parts:
                if part not in counted:
                    counted[part] = (self.words.counts(part), self.chars.counts(part))
                for total, add in zip((word_counts, char_counts), counted[part], strict=True):
                    for feature, count in add.items():
                        total[feature] = total.get(feature, 0) + count
            vector = _Vectors(self.words.weigh(word_counts), self.chars.weigh(char_counts))
            for feature, weight in vector.word.items():
                if (column := model.word_columns.get(feature)) is not None:
                    words[row, column] = weight
            for feature, weight in vector.char.items():
                if (column := model.char_columns.get(feature)) is not None:
                    chars[row, column] = weight
        return WORD_WEIGHT * (words @ model.word_matrix) + (1 - WORD_WEIGHT) * (chars @ model.char_matrix)

    def grade(self, card: OpenCard, answer: str) -> PointsGrade:
        model = self.cards.get(card.id) or self._card_model(card)
        points: Sequence[KeyPoint] = card.points or ()
        answer = answer.strip()
        if not _WORD.search(answer):
            return _refused(points, "empty")
        normal = normalise(answer)
        whole = self.vectors(normal, normal=True)
        if whole.similarity(model.front) >= COPY_THRESHOLD:
            return _refused(points, "question")
        if self._closer_to_another_card(card, model, whole):
            return _refused(points, "other card")
        around: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        home: dict[str, str] = {}
        found = segments(normal, around, home) or {normal: (normal,)}
        texts = list(found)
        scores = self._scores(model, found)
        judged = [self._piece(text, parts, around.get(text, ((), ()))) for text, parts in found.items()]
        said = {sentence: self._statement(sentence) for sentence in set(home.values()) or {normal}}
        stated = [said[home.get(text, normal)] for text in texts]
        # A term or two typed alone names a point without saying anything of it, whatever phrasing contains it.
        bare = len(set(_content(normal, self.stop)) - {_NEGATED}) <= LABEL_WORDS
        results = []
        for index, point in enumerate(points):
            best, best_piece, best_variant = 0.0, -1, ""
            support: list[str] = []
            denials: list[tuple[float, str]] = []
            own = model.polarities[index][0]
            for offset, variant in enumerate(model.variants[index]):
                column = model.offsets[index] + offset
                polarity = model.polarities[index][offset]
                label = model.labels[index][offset]
                for row in range(len(texts)):
                    content = stated[row]
                    if content is None or bare or label and not content - polarity.asserted - polarity.negated:
                        continue
                    score = float(scores[row, column])
                    # A phrasing may leave out the point's contrast term ("flags fewer items" for "precision rises"):
                    # a piece that says the partner where the point's own text says the term still does not make it.
                    if not contradicts(polarity, judged[row]) and not (offset and swaps(own, judged[row])):
                        if score >= POINT_THRESHOLD:
                            support.append(texts[row])
                        if score > best:
                            best, best_piece, best_variant = score, row, variant
                    elif score >= POINT_THRESHOLD and _denies(normalise(variant), texts[row], self.stop):
                        denials.append((score, texts[row]))
            # A clause read out of a sentence that makes the point ("a fold with a handful of positives" from "...
            # with a handful of positives or none") is the same statement, not a denial.
            denial = max((score for score, text in denials if not any(text in whole for whole in support)), default=0.0)
            matched = (
                _shared_words(answer, texts[best_piece], best_variant, self.stop) if best_piece >= 0 else ()
            )
            results.append(
                PointResult(point.text, best >= POINT_THRESHOLD and denial < best, min(best, 1.0), matched, point.must)
            )
        return _verdict(tuple(results))

    def _piece(
        self, normal_text: str, parts: tuple[str, ...], rest: tuple[tuple[str, ...], tuple[str, ...]]
    ) -> _Piece:
        if len(parts) == 1:
            parts = tuple(clause for clause in _CLAUSE_BREAK.split(normal_text) if clause)
        clauses = tuple(_polarity(clause) for clause in parts)
        before, after = rest
        return _Piece(
            normal_text, _polarity(normal_text), clauses, _polarity(" ".join(after)), _merged(before)
        )

    def _closer_to_another_card(self, card: OpenCard, model: _CardModel, whole: _Vectors) -> bool:
        if card.id not in self.cards or len(self.topic_ids) < 2:
            return False
        import numpy as np

        words = np.zeros(self.words.size)
        chars = np.zeros(self.chars.size)
        words[list(whole.word)] = list(whole.word.values())
        chars[list(whole.char)] = list(whole.char.values())
        similarity = WORD_WEIGHT * (self.topic_words @ words) + (1 - WORD_WEIGHT) * (self.topic_chars @ chars)
        own = similarity[self.topic_ids.index(card.id)]
        return bool(similarity.max() > own + OTHER_CARD_MARGIN)


def _denies(normal_point: str, normal_piece: str, stop: frozenset[str]) -> bool:
    """Whether a piece that :func:`contradicts` a point says the point's own words with its negation turned over
    ("recall falls as the threshold is lowered" against "recall never falls as the threshold is lowered") or one of
    its contrast terms swapped for its partner ("variance is systematic error from a too simple model" against "bias
    is ..."): it holds nearly all of them, counting a swapped term as held, and another number of negation cues or a
    swapped term. Such a piece denies the point whatever else the answer says; one that merely shares a few of its
    words with a negation or a partner nearby does not."""
    point = set(_content(normal_point, stop)) - {_NEGATED}
    piece = set(_content(normal_piece, stop)) - {_NEGATED}
    swapped = {word for word in point - piece if _PARTNERS.get(word, set()) & (piece - point)}
    if not point or len(point & piece | swapped) < DENIAL_COVER * len(point):
        return False
    if swapped:
        return True
    cues = [sum(word in _NEGATIONS for word in _WORD.findall(text)) for text in (normal_point, normal_piece)]
    return cues[0] != cues[1]


def _merged(clauses: Iterable[str]) -> _Polarity:
    """What some clauses assert and negate, each read on its own: a negation ends with its clause."""
    each = [_polarity(clause) for clause in clauses]
    return _Polarity(
        frozenset().union(*(one.asserted for one in each)), frozenset().union(*(one.negated for one in each))
    )


def _shared_words(answer: str, normal_piece: str, variant: str, stop: frozenset[str]) -> tuple[str, ...]:
    """The answer's own words (as typed) whose stems the matching piece shares with the phrasing it matched."""
    wanted = (set(_content(normalise(variant), stop)) & set(_content(normal_piece, stop))) - {_NEGATED}
    seen: dict[str, None] = {}
    for word in _WORD.findall(answer):
        if stem(word.casefold()) in wanted:
            seen.setdefault(word, None)
    return tuple(seen)


def _refused(points: Iterable[KeyPoint], reason: str) -> PointsGrade:
    results = tuple(PointResult(point.text, False, 0.0, (), point.must) for point in points)
    return PointsGrade(results, 0, False, reason)


def _musts(results: tuple[PointResult, ...]) -> list[PointResult]:
    """The points an answer must make to pass: those marked must, or the first when none is."""
    return [point for point in results if point.must] or list(results[:1])


def _verdict(results: tuple[PointResult, ...]) -> PointsGrade:
    """Quality from the points made: all must-points to pass (3), most points for 4, all for 5."""
    share = sum(point.made for point in results) / len(results) if results else 0.0
    if all(point.made for point in _musts(results)):
        quality = 5 if share >= FULL_SHARE else 4 if share >= GOOD_SHARE else 3
    elif share >= PARTIAL_SHARE:
        quality = 2
    elif max((point.score for point in results), default=0.0) >= TRACE_THRESHOLD:
        quality = 1
    else:
        quality = 0
    return PointsGrade(results, quality, quality >= 3)


_models: OrderedDict[tuple[str, int], DeckModel] = OrderedDict()
_lock = threading.Lock()


def deck_model(deck: Deck) -> DeckModel:
    """The fitted model of a deck, built on first use and kept for the next answers (a few decks at most)."""
    key = (deck.id, id(deck))
    with _lock:
        model = _models.get(key)
        if model is not None and model.deck is deck:
            _models.move_to_end(key)
            return model
    model = DeckModel(deck)
    with _lock:
        _models[key] = model
        while len(_models) > _CACHE_SIZE:
            _models.popitem(last=False)
    return model


def grade_answer(deck: Deck, card: OpenCard, answer: str) -> PointsGrade:
    """Judge a typed answer to ``card`` (an open card of ``deck`` with points): points made, proposed quality."""
    if not card.points:
        raise ValueError(f"card {card.id!r} has no key points to grade against")
    return deck_model(deck).grade(card, answer)
