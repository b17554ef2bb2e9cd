"""Typed answers that try to game the key-point grader, built mechanically for every open card with points.

    python tests/benchmarks/probe_grader.py             # the table: per attack, cards passing and points credited
    python tests/benchmarks/probe_grader.py --show 20   # also print up to 20 answers per attack that passed

Every answer built here is wrong **by construction**, before the grader sees it: it makes no claim, or the wrong
claim, or another card's claims. The grader passing such an answer (proposed quality >= 3) or crediting a point from
it is a defect. The attacks:

| kind            | the answer                                                              | points it targets    |
| --------------- | ----------------------------------------------------------------------- | -------------------- |
| salad           | the card's 8 most distinctive content words, shuffled, space-separated   | all                  |
| salad-commas    | the same words as a comma-separated list                                 | all                  |
| point-salad     | each point's own content words, shuffled, one bare list per point        | all                  |
| negated         | every point negated (or, if it is negative, its negation removed)        | all                  |
| swapped         | every point with one contrast term swapped for its partner (L1 -> L2)    | the swapped points   |
| question        | the question reworded as a statement, with filler                       | all                  |
| generic         | a few stock answers ("it depends on the bias-variance trade-off ...")    | all                  |
| other-card      | the key points of the most similar other card of the same deck           | all                  |
| other-deck      | the key points of the most similar card of another deck                  | all                  |
| also-alone      | one `also` phrase of one or two words, alone                            | its point            |

"Most similar" is measured by a TF-IDF of the cards' text fitted here, independent of the grader's. The real
answers the attacks must not cost are checked too: every hand-graded correct answer of
``tests/data/typed_answers.jsonl`` and every card's own back.

Contrast terms and negation are swapped from this file's own word lists, not the grader's, so a pair the grader
does not know ("bias" / "variance", "before" / "after") is probed as well. A swap touches one pair only, and only
where the point names one side of it: "high bias" -> "low bias", never a symmetric "precision and recall".
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from quizzer import keypoints  # noqa: E402
from quizzer.decks.loader import load_deck  # noqa: E402
from quizzer.decks.model import Deck, OpenCard  # noqa: E402

KINDS = (
    "salad",
    "salad-commas",
    "point-salad",
    "negated",
    "swapped",
    "question",
    "generic",
    "other-card",
    "other-deck",
    "also-alone",
)
SALAD_SIZE = 8

GENERIC_ANSWERS = (
    "It depends on the bias-variance trade-off and the data.",
    "It depends on the data, the model and the metric; validate it carefully with cross-validation and monitor it "
    "in production.",
    "There is a trade-off: a more complex model fits the training data better but may generalise worse, so tune "
    "it on a validation set.",
    "It is important to understand the problem, clean the data, choose a good model and evaluate it properly.",
)

# Surface contrast pairs, each read both ways. Domain pairs first: the first pair with one side in a point is swapped.
SWAPS: tuple[tuple[str, str], ...] = (
    ("L1", "L2"),
    ("lasso", "ridge"),
    ("precision", "recall"),
    ("sensitivity", "specificity"),
    ("TPR", "FPR"),
    ("false positives", "false negatives"),
    ("false positive", "false negative"),
    ("FP", "FN"),
    ("MAE", "RMSE"),
    ("bias", "variance"),
    ("bagging", "boosting"),
    ("overfitting", "underfitting"),
    ("overfit", "underfit"),
    ("encoder", "decoder"),
    ("generator", "discriminator"),
    ("biased", "unbiased"),
    ("underestimates", "overestimates"),
    ("maximises", "minimises"),
    ("maximise", "minimise"),
    ("maximum", "minimum"),
    ("rows", "columns"),
    ("row", "column"),
    ("convex", "concave"),
    ("future", "past"),
    ("before", "after"),
    ("positives", "negatives"),
    ("positive", "negative"),
    ("sparse", "dense"),
    ("increases", "decreases"),
    ("increase", "decrease"),
    ("reduces", "increases"),
    ("reduce", "increase"),
    ("higher", "lower"),
    ("high", "low"),
    ("larger", "smaller"),
    ("large", "small"),
    ("more", "fewer"),
    ("deep", "shallow"),
    ("faster", "slower"),
)
_NEGATION_WORDS = re.compile(r"\s*\b(?:not|never|no|without|none)\b", re.IGNORECASE)
_AUXILIARY = re.compile(
    r"\b(is|are|was|were|can|will|should|must|may|could|would|does|do|has|have|gives|needs)\b", re.IGNORECASE
)
_NOT_BEFORE_VERB = frozenset(
    {
        "a",
        "an",
        "the",
        "few",
        "many",
        "more",
        "most",
        "some",
        "all",
        "each",
        "every",
        "of",
        "to",
        "in",
        "on",
        "for",
    }
    | {"with", "by", "from", "and", "or", "its", "their", "this", "that"}
)
# Verbs that open the decks' instructions ("Use ...", "Sweep thresholds ..."): negated with "Do not".
_IMPERATIVES = frozenset(
    re.findall(
        r"\S+",
        """use add train fit check plot sweep draw set keep choose pick report monitor refit compare tune freeze start
        stop build apply scale standardise calibrate split resample clip drop log run lead prefer avoid treat measure
        estimate score re-tune recheck bin summarise anchor optimise deliver frame explore reweight include ask
        evaluate compute weight repeat lower raise increase decrease reduce remove replace fine-tune unfreeze retrain
        validate sample shuffle stratify encode impute normalise average combine prune limit grow cap select rank let
        be think suspect look read write store serve""",
    )
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]")
_QUESTION_START = re.compile(
    r"^(?:(?:what|why|how|when|which|who|where|explain|describe|name|give|define|in|one|a|an|your)\b[\s,]*)+"
    r"(?:(?:is|are|does|do|did|would|should|can|could|will|you|it|the)\b\s*)*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Attack:
    """One answer built to be wrong, and the points of its card it speaks to (wrongly)."""

    kind: str
    deck: str
    card: str
    answer: str
    targets: tuple[int, ...]


@dataclass(slots=True)
class Tally:
    """What the grader made of one kind of attack."""

    answers: int = 0
    passed: int = 0
    targeted: int = 0
    credited: int = 0
    cards: set[str] = field(default_factory=set)
    cards_passed: set[str] = field(default_factory=set)
    examples: list[tuple[Attack, keypoints.PointsGrade]] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.answers if self.answers else 0.0

    @property
    def credit_rate(self) -> float:
        return self.credited / self.targeted if self.targeted else 0.0


def builtin_decks() -> list[Deck]:
    return [load_deck(path) for path in sorted((ROOT / "decks").glob("*.yaml"))]


def graded_cards(deck: Deck) -> list[OpenCard]:
    return [card for card in deck.cards if keypoints.grades_typed_answers(card)]  # type: ignore[misc]


def sampled(cards: Sequence[OpenCard], deck: Deck, every: int) -> list[OpenCard]:
    """Every ``every``-th card by a stable hash of its id (all of them when ``every`` is 1)."""
    return [card for card in cards if zlib.crc32(f"{deck.id}/{card.id}".encode()) % every == 0]


def _card_text(card: OpenCard) -> str:
    return " ".join([card.front, card.back, *(point.text for point in card.points or ())])


def _words(text: str) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [
        word for word in _TOKEN.findall(text) if word.casefold() not in ENGLISH_STOP_WORDS and len(word) > 1
    ]


class _Similarity:
    """Cards as TF-IDF rows (fitted here, not by the grader): for distinctive words and nearest other cards."""

    def __init__(self, decks: Sequence[Deck]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.keys = [(deck.id, card.id) for deck in decks for card in graded_cards(deck)]
        self.cards = {(deck.id, card.id): card for deck in decks for card in graded_cards(deck)}
        texts = [" ".join(_words(_card_text(self.cards[key]))).casefold() for key in self.keys]
        self.vectoriser = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True)
        self.matrix = self.vectoriser.fit_transform(texts)
        self.vocabulary = self.vectoriser.get_feature_names_out()
        self.row = {key: row for row, key in enumerate(self.keys)}

    def distinctive(self, deck: Deck, card: OpenCard, size: int) -> list[str]:
        """The card's ``size`` content words with the highest TF-IDF weight, as the card spells them."""
        row = self.matrix[self.row[(deck.id, card.id)]].toarray().ravel()
        spelled = {}
        for word in _words(" ".join(point.text for point in card.points or ()) + " " + card.back):
            spelled.setdefault(word.casefold(), word)
        ranked = sorted(spelled, key=lambda word: -row[self.vectoriser.vocabulary_.get(word, 0)])
        return [spelled[word] for word in ranked[:size]]

    def nearest(self, deck: Deck, card: OpenCard, *, same_deck: bool) -> OpenCard | None:
        similarity = (self.matrix @ self.matrix[self.row[(deck.id, card.id)]].T).toarray().ravel()
        best, found = -1.0, None
        for key, value in zip(self.keys, similarity, strict=True):
            if key == (deck.id, card.id) or (key[0] == deck.id) != same_deck:
                continue
            if value > best:
                best, found = value, self.cards[key]
        return found


def _shuffled(words: list[str], seed: str) -> list[str]:
    shuffled = list(words)
    random.Random(zlib.crc32(seed.encode())).shuffle(shuffled)
    return shuffled


def negate(statement: str) -> str:
    """The statement's opposite, the way a candidate would say it: a negative point loses its negation, a positive
    one gains "not" after its auxiliary, "Do not" before an instruction or "never" before its verb (else the whole
    statement is denied)."""
    if _NEGATION_WORDS.search(statement) or re.search(r"n't\b|\bcannot\b", statement):
        positive = statement.replace("cannot", "can").replace("n't", "")
        return re.sub(r"\s{2,}", " ", _NEGATION_WORDS.sub("", positive)).strip()
    if match := _AUXILIARY.search(statement):
        return f"{statement[: match.end()]} not{statement[match.end() :]}"
    if statement.split(" ")[0].casefold() in _IMPERATIVES:
        return f"Do not {statement[0].lower()}{statement[1:]}"
    words = statement.split(" ")
    plural_subject = len(words) > 2 and words[0].endswith("s") and words[1].isalpha() and words[1].islower()
    if plural_subject and not words[1].endswith("s"):  # "Layers reuse ..." -> "Layers do not reuse ..."
        return " ".join([words[0], "do not", *words[1:]])

    def verb_like(word: str) -> bool:
        word = word.strip(",:;").casefold()
        not_verbs = {"its", "this", "thus", "always", "sometimes", "perhaps", "unless", "across", "as", "was"}
        return (
            word.isalpha()
            and word.endswith("s")
            and not word.endswith(("ss", "us", "is", "ics"))
            and (word not in not_verbs)
        )

    for index in range(1, len(words)):
        if verb_like(words[index]) and words[index - 1].casefold() not in _NOT_BEFORE_VERB:
            while index + 1 < len(words) and verb_like(
                words[index + 1]
            ):  # "correlated trees cuts": the last one
                index += 1
            return " ".join([*words[:index], "never", *words[index:]])
    return f"It is not true that {statement[0].lower()}{statement[1:]}"


def swap(statement: str) -> str | None:
    """The statement with one contrast term replaced by its partner, or None if it names no term on one side only."""
    for left, right in SWAPS:
        has = {side: re.search(rf"\b{re.escape(side)}\b", statement, re.IGNORECASE) for side in (left, right)}
        if bool(has[left]) == bool(has[right]):
            continue
        old, new = (left, right) if has[left] else (right, left)

        def replace(match: re.Match[str], new: str = new) -> str:
            text = match.group(0)
            if text.isupper() and len(text) > 1:
                return new.upper() if new.isupper() or len(new) <= 4 else new
            return new[0].upper() + new[1:] if text[0].isupper() else new

        return re.sub(rf"\b{re.escape(old)}\b", replace, statement, flags=re.IGNORECASE)
    return None


def reworded_question(front: str) -> list[str]:
    """The question said back as if it were an answer."""
    core = _QUESTION_START.sub("", front.strip()).rstrip("?. ")
    core = core[0].lower() + core[1:] if core else front
    return [
        f"Regarding {core}: it really depends, and that is the key consideration here.",
        f"The answer is about {core}.",
    ]


def _statements(card: OpenCard) -> list[str]:
    return [point.text.rstrip(".") + "." for point in card.points or ()]


def build_attacks(
    decks: Sequence[Deck], kinds: Iterable[str] = KINDS, every: int = 1, similar: _Similarity | None = None
) -> list[Attack]:
    """Every attack of the given kinds on every ``every``-th open card with points."""
    kinds = set(kinds)
    similar = similar or _Similarity(decks)
    attacks: list[Attack] = []
    for deck in decks:
        for card in sampled(graded_cards(deck), deck, every):
            points = card.points or ()
            everything = tuple(range(len(points)))

            def add(kind: str, answer: str, targets: tuple[int, ...] = everything) -> None:
                if kind in kinds and answer.strip():
                    attacks.append(Attack(kind, deck.id, card.id, answer, targets))  # noqa: B023

            seed = f"{deck.id}/{card.id}"
            salad = _shuffled(similar.distinctive(deck, card, SALAD_SIZE), seed)
            add("salad", " ".join(salad))
            add("salad-commas", ", ".join(salad))
            add(
                "point-salad",
                "\n".join(" ".join(_shuffled(_words(point.text), seed + point.text)) for point in points),
            )
            add("negated", " ".join(negate(statement) for statement in _statements(card)))
            swapped = [(index, swap(statement)) for index, statement in enumerate(_statements(card))]
            swapped = [(index, text) for index, text in swapped if text]
            if swapped:
                add("swapped", " ".join(text for _, text in swapped), tuple(index for index, _ in swapped))
            for answer in reworded_question(card.front):
                add("question", answer)
            for answer in GENERIC_ANSWERS:
                add("generic", answer)
            for kind, same_deck in (("other-card", True), ("other-deck", False)):
                if kind in kinds and (other := similar.nearest(deck, card, same_deck=same_deck)):
                    add(kind, " ".join(_statements(other)))
            for index, point in enumerate(points):
                for phrase in point.also:
                    if len(phrase.split()) <= 2:
                        add("also-alone", phrase, (index,))
    return attacks


def run(decks: Sequence[Deck], attacks: Iterable[Attack], keep: int = 0) -> dict[str, Tally]:
    """Grade every attack; per kind, how many answers and cards passed and how many targeted points were credited."""
    by_id = {deck.id: deck for deck in decks}
    tallies: dict[str, Tally] = {}
    for attack in attacks:
        deck = by_id[attack.deck]
        grade = keypoints.grade_answer(deck, deck.card(attack.card), attack.answer)
        tally = tallies.setdefault(attack.kind, Tally())
        tally.answers += 1
        tally.cards.add(f"{attack.deck}/{attack.card}")
        tally.targeted += len(attack.targets)
        tally.credited += sum(grade.points[index].made for index in attack.targets)
        if grade.correct:
            tally.passed += 1
            tally.cards_passed.add(f"{attack.deck}/{attack.card}")
        if (grade.correct or any(grade.points[i].made for i in attack.targets)) and len(
            tally.examples
        ) < keep:
            tally.examples.append((attack, grade))
    return tallies


def real_answers(decks: Sequence[Deck]) -> tuple[int, int, int, int]:
    """(hand-graded correct answers passing, of how many; card backs passing, of how many)."""
    import json

    by_id = {deck.id: deck for deck in decks}
    rows = [json.loads(line) for line in (ROOT / "tests/data/typed_answers.jsonl").read_text().splitlines()]
    correct = [row for row in rows if row["pass"]]
    passing = sum(
        keypoints.grade_answer(
            by_id[row["deck"]], by_id[row["deck"]].card(row["card"]), row["answer"]
        ).correct
        for row in correct
    )
    cards = [(deck, card) for deck in decks for card in graded_cards(deck)]
    backs = sum(keypoints.grade_answer(deck, card, card.back).correct for deck, card in cards)
    return passing, len(correct), backs, len(cards)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show", type=int, default=0, help="print up to N passing or crediting answers per kind"
    )
    parser.add_argument("--every", type=int, default=1, help="probe every N-th card (by a hash of its id)")
    args = parser.parse_args()
    start = time.perf_counter()
    decks = builtin_decks()
    attacks = build_attacks(decks, every=args.every)
    tallies = run(decks, attacks, keep=args.show)
    print(f"{'attack':14s} {'answers':>8s} {'passing':>8s} {'cards passing':>15s} {'points credited':>18s}")
    for kind in KINDS:
        tally = tallies.get(kind)
        if tally is None:
            continue
        print(
            f"{kind:14s} {tally.answers:8d} {tally.passed:8d} {len(tally.cards_passed):6d} / {len(tally.cards):<6d} "
            f"{tally.credited:7d} / {tally.targeted:<5d} ({tally.credit_rate:.1%})"
        )
    passing, correct, backs, cards = real_answers(decks)
    print(
        f"hand-graded correct answers passing: {passing} / {correct}; card backs passing: {backs} / {cards}"
    )
    print(f"{len(attacks)} attacks in {time.perf_counter() - start:.1f} s")
    for kind in KINDS:
        for attack, grade in tallies.get(kind, Tally()).examples:
            made = [index for index, point in enumerate(grade.points) if point.made]
            verdict = "PASS" if grade.correct else f"credited {made}"
            print(f"[{kind}] {attack.deck}/{attack.card} {verdict}: {attack.answer!r}")


if __name__ == "__main__":
    main()
