"""`wer`: word error rate by a minimum-edit alignment, the edit count itself, and character error rate.

A reference transcript (a voice-assistant request, a line of meeting notes, a call-centre turn, a dictated
sentence) and an ASR hypothesis made from it by a few seeded substitutions, deletions and insertions. The
hypothesis is aligned to the reference with the fewest word edits (Levenshtein over words); the edits the
generator applied are only a way to draw the hypothesis, the answer always comes from the alignment.

| ask      | answer                                                   | mistakes the numbers are drawn to expose |
|----------|----------------------------------------------------------|-------------------------------------------|
| `wer`    | WER = (S + D + I) / N, N the reference's words; in %, 1 decimal | dividing by the hypothesis's length; counting substitutions only; (S + D) / N, which forgets insertions and equals 1 − matched / N (word accuracy taken as matched over N); position-by-position mismatches over N; capping at 100% |
| `counts` | the minimum number of word edits (word-level Levenshtein distance), a whole number | the number of positions that differ word by word without aligning (an early insertion or deletion shifts every later word, so this is at least 2 more); S + D; the difference in lengths |
| `cer`    | CER of a short request naming a contact (names are where CER is used): character edits / reference characters, spaces counted; in %, 1 decimal | dividing by the hypothesis's characters; the word-level WER of the same phrase; leaving the spaces out of both strings |

Every instance has exactly one (S, D, I) split among its minimum alignments (two substitutions can cost the
same as a deletion plus an insertion; such instances are redrawn), so "S", "D" and "I" in the solution and in
the slips are well defined. `wer` instances always have an insertion and D ≠ I (so the hypothesis's length is
not N); about one in seven is a short command with hesitations before it and words added after it (insertions
only) and a WER above 100%, which nothing caps.
Each slip kept lands at least `MISTAKE_GAP` percentage points from the answer (for counts, a whole edit;
the position-by-position count at least `COUNT_GAP`).
Jurafsky & Martin, SLP3 ch. 16 (word error rate, minimum edit distance alignment); the tests recount with a
memoised recursion over suffixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem, far_from

Ask = Literal["wer", "counts", "cer"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]
MAX_DRAWS = 10_000  # rejection sampling gives up (loudly) after this many draws

MISTAKE_GAP = 0.5  # percentage points between the answer and every slip kept (grading accepts ±0.1)
COUNT_GAP = 2  # the naive position-by-position count exceeds the edit distance by at least this
OVERFLOW_SHARE = 0.15  # share of `wer` instances drawn as a short command with insertions only
INSERTIONS_SHARE = 0.2  # share of `wer` instances drawn as a sentence with insertions only
GAP = "*"  # the empty side of an insertion or deletion in the alignment

Op = Literal["=", "S", "D", "I"]


@dataclass(frozen=True, slots=True)
class Scenario:
    context: str  # who produced the transcript, as a sentence start
    sentences: tuple[str, ...]  # references, 6-14 words
    fillers: tuple[str, ...]  # what a recogniser inserts here


SCENARIOS = (
    Scenario(
        "A voice assistant transcribes a spoken request",
        (
            "remind me to call my mum at six tonight",
            "set a timer for twenty minutes and then play some jazz",
            "what will the weather be like in leeds on saturday morning",
            "add eggs milk and two loaves of bread to the shopping list",
            "turn the heating down to eighteen degrees in the living room",
        ),
        ("uh", "um", "the", "please", "and", "a"),
    ),
    Scenario(
        "A meeting-notes tool transcribes a line from a team call",
        (
            "we agreed to move the launch back by one week",
            "sarah will send the revised budget to finance before friday",
            "the new dashboard should be ready for review next sprint",
            "let us park the pricing question until the board meeting",
            "our main risk is the data migration slipping into march",
        ),
        ("so", "um", "yeah", "like", "the", "and"),
    ),
    Scenario(
        "A call-centre system transcribes what a customer said",
        (
            "i would like to change the delivery address on my order",
            "my card was charged twice for the same parcel last week",
            "can you tell me when the engineer is due to arrive",
            "the router keeps dropping the connection every few hours",
            "please cancel my subscription from the end of this month",
        ),
        ("uh", "er", "yes", "so", "the", "okay"),
    ),
    Scenario(
        "A dictation app transcribes a sentence of a letter",
        (
            "thank you for your letter of the fourth of june",
            "i am writing to confirm the appointment we made last tuesday",
            "the enclosed report covers the results of the second quarter",
            "please find attached the signed copy of the lease",
            "we would be grateful for a reply within ten working days",
        ),
        ("the", "a", "and", "of", "um", "that"),
    ),
)

# Short commands (2-4 words) for the instances whose WER exceeds 100%: a few insertions outnumber the words.
SHORT_COMMANDS = (
    "stop",
    "next song",
    "call home",
    "pause the music",
    "yes please",
    "cancel my order",
    "lights off",
    "skip this track",
)
SHORT_FILLERS = ("uh", "um", "okay", "so")  # hesitations before the command
# Words a recogniser adds after a short command: background speech, or a stock phrase hallucinated into the
# silence that follows (Whisper's "thanks for watching" is the known case).
TRAILING = ("thank you", "thanks for watching", "right now", "please", "thank you very much", "yes")

# What recognisers substitute for a word: homophones and near-homophones first.
CONFUSIONS: dict[str, tuple[str, ...]] = {
    "to": ("two", "too"),
    "two": ("to", "too"),
    "for": ("four", "far"),
    "four": ("for",),
    "one": ("won",),
    "by": ("buy", "bye"),
    "week": ("weak", "peak"),
    "weather": ("whether",),
    "new": ("knew",),
    "would": ("wood",),
    "our": ("hour", "are"),
    "some": ("sum",),
    "mum": ("mom",),
    "be": ("bee",),
    "see": ("sea",),
    "right": ("write",),
    "tonight": ("tonite",),
    "the": ("a", "that"),
    "a": ("the",),
    "and": ("in", "an"),
    "in": ("and",),
    "my": ("by", "i"),
    "i": ("my", "a"),
    "your": ("you", "yours"),
    "card": ("car", "cart"),
    "march": ("much",),
    "sent": ("cent",),
    "send": ("sent", "spend"),
    "made": ("maid",),
    "due": ("dew",),
    "through": ("threw",),
    "leeds": ("leads",),
    "eighteen": ("eighty",),
    "twenty": ("plenty",),
    "there": ("their",),
    "sprint": ("print",),
    "parcel": ("parcels",),
    "lease": ("least",),
    "june": ("jane",),
    "tuesday": ("thursday",),
    "board": ("bored",),
    "hours": ("ours",),
    "quarter": ("order",),
}
FALLBACK_SUBSTITUTES = ("it", "is", "then", "at", "on", "this", "had", "been")

# Character error rate: a short request naming a contact, whose words have spellings a recogniser writes
# differently (names above all, which is where CER or exact match is used in practice).
CER_VERBS = ("call", "text", "ring", "email", "remind", "meet")
CER_NAMES = (
    "catherine",
    "stephen",
    "geoff",
    "sean",
    "niamh",
    "siobhan",
    "isobel",
    "phillip",
    "ann",
    "jon",
    "margaret",
    "claire",
)
CER_TIMES = ("tonight", "today", "at nine", "at noon", "tomorrow", "this evening")
SPELLINGS: dict[str, tuple[str, ...]] = {
    "call": ("cal",),
    "text": ("tex",),
    "meet": ("meat",),
    "catherine": ("kathryn", "katherine"),
    "stephen": ("steven",),
    "geoff": ("jeff",),
    "sean": ("shawn", "shaun"),
    "niamh": ("neve", "neev"),
    "siobhan": ("shivon", "shevaun"),
    "isobel": ("isabel", "isabelle"),
    "phillip": ("philip", "filip"),
    "ann": ("anne",),
    "jon": ("john",),
    "margaret": ("margret",),
    "claire": ("clare",),
    "tonight": ("to night", "tonite"),
    "today": ("to day",),
    "nine": ("nein",),
    "evening": ("evenin",),
}


class WERParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    """A minimum-edit alignment: its steps (op, reference token, hypothesis token; None for a gap), and the
    fewest and most insertions any minimum alignment of the pair has."""

    steps: tuple[tuple[Op, str | None, str | None], ...]
    insertions: tuple[int, int]

    def count(self, op: Op) -> int:
        return sum(1 for step in self.steps if step[0] == op)

    @property
    def edits(self) -> int:
        return len(self.steps) - self.count("=")

    @property
    def one_split(self) -> bool:
        """Every minimum alignment has the same S, D and I. With the total and the two lengths fixed
        (D − I = N − M, S = total − D − I), the number of insertions settles the split."""
        return self.insertions[0] == self.insertions[1]


def align(ref: tuple[str, ...], hyp: tuple[str, ...]) -> Alignment:
    """The Wagner-Fischer table over prefixes, each cell also holding the fewest and most insertions of its
    cheapest paths; the steps are traced back preferring a match or substitution, then a deletion, then an
    insertion."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    low = [[0] * (m + 1) for _ in range(n + 1)]
    high = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, lo, hi = n + m + 1, n + m + 1, -1
            for c, i0, j0, added in (
                (cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]) if i and j else -1, i - 1, j - 1, 0),
                (cost[i - 1][j] + 1 if i else -1, i - 1, j, 0),
                (cost[i][j - 1] + 1 if j else -1, i, j - 1, 1),
            ):
                if c < 0 or c > best:
                    continue
                if c < best:
                    best, lo, hi = c, n + m + 1, -1
                lo, hi = min(lo, low[i0][j0] + added), max(hi, high[i0][j0] + added)
            cost[i][j], low[i][j], high[i][j] = best, lo, hi
    steps: list[tuple[Op, str | None, str | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            steps.append(("=" if ref[i - 1] == hyp[j - 1] else "S", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(("D", ref[i - 1], None))
            i -= 1
        else:
            steps.append(("I", None, hyp[j - 1]))
            j -= 1
    return Alignment(tuple(reversed(steps)), (low[n][m], high[n][m]))


def naive_mismatches(ref: tuple[str, ...], hyp: tuple[str, ...]) -> int:
    """Positions that differ when the two are compared word by word from the start, without aligning (a word
    with no partner at the end counts as a mismatch)."""
    return sum(
        1 for k in range(max(len(ref), len(hyp))) if k >= len(ref) or k >= len(hyp) or ref[k] != hyp[k]
    )


def _substitute(rng: np.random.Generator, word: str) -> str:
    options = CONFUSIONS.get(word, FALLBACK_SUBSTITUTES)
    choices = [w for w in options if w != word]
    return str(rng.choice(choices))


def _edit(
    rng: np.random.Generator, ref: tuple[str, ...], fillers: tuple[str, ...], kinds: tuple[str, ...]
) -> tuple[str, ...]:
    """``ref`` with one edit of each kind in ``kinds`` applied at random places (a stutter is an insertion
    that repeats the word before it)."""
    words = list(ref)
    for kind in kinds:
        if kind == "S" and words:
            at = int(rng.integers(len(words)))
            words[at] = _substitute(rng, words[at])
        elif kind == "D" and len(words) > 1:
            del words[int(rng.integers(len(words)))]
        elif kind == "I":
            at = int(rng.integers(len(words) + 1))
            stutter = at > 0 and rng.random() < 0.25
            words.insert(at, words[at - 1] if stutter else str(rng.choice(fillers)))
    return tuple(words)


def _kinds(rng: np.random.Generator, count: int) -> tuple[str, ...]:
    return tuple(str(k) for k in rng.choice(("S", "D", "I"), size=count))


def _edits(count: int, kind: str = "") -> str:
    return f"{count} {kind}edit" + ("" if count == 1 else "s")


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole


class WER(Generator):
    name = "wer"
    title = "Word error rate by alignment"
    description = (
        "Align an ASR hypothesis to its reference with the fewest word edits, then give the word error rate "
        "(S + D + I) / N in %, the edit count itself, or the character error rate of a short phrase."
    )
    Params = WERParams
    topics = ("speech", "asr", "evaluation")

    def make(self, rng: np.random.Generator, seed: int, params: WERParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        if ask == "cer":
            return self._cer(rng, seed, params)
        mode = "mixed"
        if ask == "wer":  # drawn once, outside the loop, so that rejections do not tilt the mix
            draw = rng.random()
            mode = (
                "overflow"
                if draw < OVERFLOW_SHARE
                else "insertions"
                if draw < OVERFLOW_SHARE + INSERTIONS_SHARE
                else "mixed"
            )
        for _ in range(MAX_DRAWS):
            drawn = self._draw_words(rng, ask, mode)
            if drawn is not None:
                context, ref, hyp, result = drawn
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        if ask == "wer":
            return self._wer(seed, params, context, ref, hyp, result)
        return self._counts(seed, params, context, ref, hyp, result)

    def _draw_words(
        self, rng: np.random.Generator, ask: str, mode: str
    ) -> tuple[str, tuple[str, ...], tuple[str, ...], Alignment] | None:
        """One candidate (context, reference, hypothesis, alignment), or None when it misses the ask's rules.
        ``mode``: "overflow" (a short command, insertions only, WER above 100%), "insertions" (a sentence with
        insertions only) or "mixed"."""
        if mode == "overflow":
            ref = tuple(str(rng.choice(SHORT_COMMANDS)).split())
            tail = tuple(str(rng.choice(TRAILING)).split())
            head = tuple(
                str(w) for w in rng.choice(SHORT_FILLERS, size=int(rng.integers(0, 3)), replace=False)
            )
            hyp = head + ref + tail
            if not len(ref) < len(head) + len(tail) <= 5:
                return None
            context = "A voice assistant transcribes a short spoken command"
        else:
            scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
            ref = tuple(str(rng.choice(scenario.sentences)).split())
            if mode == "insertions":
                kinds: tuple[str, ...] = ("I",) * int(rng.integers(1, 6))  # the hypothesis is the longer one
            elif ask == "wer":  # an insertion and a substitution or deletion, so every slip differs
                kinds = ("I", str(rng.choice(("S", "D"))), *_kinds(rng, int(rng.integers(0, 4))))
            else:
                kinds = _kinds(rng, int(rng.integers(1, 6)))
            hyp = _edit(rng, ref, scenario.fillers, kinds)
            context = scenario.context
        result = align(ref, hyp)
        if not result.one_split or result.edits == 0:
            return None
        if ask == "wer":
            if result.count("I") == 0 or len(hyp) == len(ref):
                return None
            if mode == "mixed" and result.count("S") + result.count("D") == 0:
                return None
            value = _percent(result.edits, len(ref))
            if any(abs(value - slip) < MISTAKE_GAP for slip in _wer_slips(ref, hyp, result).values()):
                return None
        elif naive_mismatches(ref, hyp) < result.edits + COUNT_GAP:
            return None
        return context, ref, hyp, result

    def _wer(
        self,
        seed: int,
        params: WERParams,
        context: str,
        ref: tuple[str, ...],
        hyp: tuple[str, ...],
        result: Alignment,
    ) -> Problem:
        s, d, i = result.count("S"), result.count("D"), result.count("I")
        n = len(ref)
        value = _percent(result.edits, n)
        slips = _wer_slips(ref, hyp, result)
        prompt = (
            f"{_transcripts(context, ref, hyp)}\n\n"
            "What is the **word error rate (WER)** of the hypothesis? Answer in %, to 1 decimal."
        )
        lines = [
            _alignment_text(result),
            f"S = {s}, D = {d}, I = {i}: {s} + {d} + {i} = {_edits(result.edits)}, the fewest that turn the "
            "reference into the hypothesis.",
            f"The denominator is the reference's length, N = {n} words, so WER = {result.edits} / {n} = "
            f"**{value:.1f}%**",
            f"Dividing by the hypothesis's {len(hyp)} words gives {slips['hypothesis_length']:.1f}%; counting "
            f"only substitutions, {slips['substitutions_only']:.1f}%; leaving out the insertions, "
            f"(S + D) / N = {slips['no_insertions']:.1f}%, which is also what 1 − matched / N gives (an inserted "
            "word never lowers the count of matched reference words)."
            + (
                f" Comparing word by word without aligning finds {naive_mismatches(ref, hyp)} mismatches, "
                f"{slips['unaligned']:.1f}%."
                if "unaligned" in slips
                else ""
            ),
        ]
        if value > 100:
            lines.append(
                f"The WER is above 100%: each inserted word adds an error but no reference word, so nothing "
                f"caps it (writing 100% is wrong). A recogniser that hallucinates words on a {n}-word command "
                "does this."
            )
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("WER (%)?", NumberAnswer(value, unit="%", decimals=1)),),
            solution="\n\n".join(lines),
            data=_data("wer", ref, hyp, result, value, slips, " "),
        )

    def _counts(
        self,
        seed: int,
        params: WERParams,
        context: str,
        ref: tuple[str, ...],
        hyp: tuple[str, ...],
        result: Alignment,
    ) -> Problem:
        s, d, i = result.count("S"), result.count("D"), result.count("I")
        naive = naive_mismatches(ref, hyp)
        slips = {"unaligned": float(naive)}
        if s + d != result.edits:
            slips["no_insertions"] = float(s + d)
        if abs(len(ref) - len(hyp)) != result.edits:
            slips["length_difference"] = float(abs(len(ref) - len(hyp)))
        prompt = (
            f"{_transcripts(context, ref, hyp)}\n\n"
            "What is the **smallest number of word edits** (substitutions, deletions and insertions) that turn "
            "the reference into the hypothesis, the numerator of WER? Answer as a whole number."
        )
        first = next(step for step in result.steps if step[0] in ("D", "I"))
        shift = f"deletion of “{first[1]}”" if first[0] == "D" else f"insertion of “{first[2]}”"
        lines = [
            _alignment_text(result),
            f"S = {s}, D = {d}, I = {i}: the minimum is {s} + {d} + {i} = **{result.edits}** edit{'' if result.edits == 1 else 's'}.",
            f"Comparing position by position without aligning finds {naive} mismatches: after the {shift} "
            "every later word is compared with its neighbour's partner, so words that match count as errors. The alignment lets them line up again, which is why WER is computed on the "
            "minimum-edit alignment and not word by word.",
        ]
        if "no_insertions" in slips:
            lines.append(f"Leaving out the insertions gives {s + d}, an undercount.")
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("edits?", NumberAnswer(float(result.edits), tolerance=0)),),
            solution="\n\n".join(lines),
            data=_data("counts", ref, hyp, result, float(result.edits), slips, " "),
        )

    def _cer(self, rng: np.random.Generator, seed: int, params: WERParams) -> Problem:
        for _ in range(MAX_DRAWS):
            phrase = " ".join(str(rng.choice(words)) for words in (CER_VERBS, CER_NAMES, CER_TIMES))
            words = phrase.split()
            variable = [k for k, w in enumerate(words) if w in SPELLINGS]
            changed = rng.choice(
                variable, size=int(rng.integers(1, min(3, len(variable)) + 1)), replace=False
            )
            out = list(words)
            for k in changed:
                out[int(k)] = str(rng.choice(SPELLINGS[words[int(k)]]))
            ref_text, hyp_text = phrase, " ".join(out)
            result = align(tuple(ref_text), tuple(hyp_text))
            if not result.one_split:
                continue
            value = _percent(result.edits, len(ref_text))
            slips = _cer_slips(ref_text, hyp_text, result)
            if far_from(value, slips.values(), MISTAKE_GAP):
                break
        else:
            raise RuntimeError(
                "no instance met the constraints: they contradict each other"
            )  # pragma: no cover
        s, d, i = result.count("S"), result.count("D"), result.count("I")
        prompt = (
            "A voice assistant transcribes a short request. Here are its reference and hypothesis, lower-cased "
            f"and without punctuation:\n\n**Reference** ({len(ref_text)} characters, spaces included): {ref_text}\n\n"
            f"**Hypothesis** ({len(hyp_text)} characters): {hyp_text}\n\n"
            "What is the **character error rate (CER)**: the fewest character edits (substitutions, deletions, "
            "insertions) that turn the reference into the hypothesis, over the reference's characters, **spaces "
            "counted as characters**? Answer in %, to 1 decimal."
        )
        lines = [
            _alignment_text(result, characters=True),
            f"S = {s}, D = {d}, I = {i}: {_edits(result.edits, 'character ')}, the fewest possible.",
            f"The reference has N = {len(ref_text)} characters (spaces included), so CER = {result.edits} / "
            f"{len(ref_text)} = **{value:.1f}%**",
            f"Dividing by the hypothesis's {len(hyp_text)} characters gives {slips['hypothesis_length']:.1f}%. "
            f"The word-level WER of the same pair is {slips['word_level']:.1f}%: a spelling variant costs a whole "
            "word there but only a character or two here, which is why CER gives near-misses partial credit."
            + (
                f" Dropping the spaces from both strings gives {slips['no_spaces']:.1f}%."
                if "no_spaces" in slips
                else ""
            ),
        ]
        return self.problem(
            seed,
            params,
            prompt=prompt,
            parts=(Part("CER (%)?", NumberAnswer(value, unit="%", decimals=1)),),
            solution="\n\n".join(lines),
            data=_data("cer", tuple(ref_text), tuple(hyp_text), result, value, slips, ""),
        )


def _wer_slips(ref: tuple[str, ...], hyp: tuple[str, ...], result: Alignment) -> dict[str, float]:
    """What the usual slips give for WER, in %: the listed ones always, the others when they differ."""
    n, edits = len(ref), result.edits
    slips = {
        "hypothesis_length": _percent(edits, len(hyp)),
        "substitutions_only": _percent(result.count("S"), n),
        "no_insertions": _percent(result.count("S") + result.count("D"), n),
    }
    naive = naive_mismatches(ref, hyp)
    if naive != edits:
        slips["unaligned"] = _percent(naive, n)
    if edits > n:
        slips["capped"] = 100.0
    return slips


def _cer_slips(ref_text: str, hyp_text: str, result: Alignment) -> dict[str, float]:
    edits = result.edits
    slips = {
        "hypothesis_length": _percent(edits, len(hyp_text)),
        "word_level": _percent(
            align(tuple(ref_text.split()), tuple(hyp_text.split())).edits, len(ref_text.split())
        ),
    }
    bare_ref, bare_hyp = ref_text.replace(" ", ""), hyp_text.replace(" ", "")
    no_spaces = _percent(align(tuple(bare_ref), tuple(bare_hyp)).edits, len(bare_ref))
    if abs(no_spaces - _percent(edits, len(ref_text))) >= MISTAKE_GAP:
        slips["no_spaces"] = no_spaces
    return slips


ALIGNMENT_WIDTH = 70  # the widest line of a shown alignment block


def _alignment_text(result: Alignment, characters: bool = False) -> str:
    """The alignment as a fixed-width block: reference, hypothesis and the S/D/I marks in columns, a gap as
    ``*`` (a space as ``_`` when aligning characters)."""

    def shown(token: str | None) -> str:
        if token is None:
            return GAP
        return "_" if characters and token == " " else token

    columns = [(shown(r), shown(h), "" if op == "=" else op) for op, r, h in result.steps]
    sep = "" if characters else " "
    # Cut into blocks of at most ALIGNMENT_WIDTH characters, so an 80-column terminal shows every column without
    # scrolling the block sideways.
    blocks: list[list[tuple[str, str, str]]] = [[]]
    width = 5
    for column in columns:
        size = max(map(len, column)) + len(sep)
        if blocks[-1] and width + size > ALIGNMENT_WIDTH:
            blocks.append([])
            width = 5
        blocks[-1].append(column)
        width += size
    rows: list[str] = []
    for block in blocks:
        widths = [max(map(len, column)) for column in block]
        if rows:
            rows.append("")
        rows += [
            label + sep.join(part.ljust(w) for part, w in zip(parts, widths, strict=True))
            for label, parts in zip(("REF  ", "HYP  ", "     "), zip(*block, strict=True), strict=True)
        ]
    unit = "character by character (a space shown as _)" if characters else "word by word"
    return (
        f"Align the reference and the hypothesis {unit} with the fewest edits (a Levenshtein alignment; * is the empty side of a "
        "deletion D or an insertion I, S a substitution):\n\n```\n"
        + "\n".join(row.rstrip() for row in rows)
        + "\n```"
    )


def _data(
    ask: str,
    ref: tuple[str, ...],
    hyp: tuple[str, ...],
    result: Alignment,
    value: float,
    slips: dict[str, float],
    joiner: str,
) -> dict[str, object]:
    return {
        "ask": ask,
        "reference": joiner.join(ref),
        "hypothesis": joiner.join(hyp),
        "steps": [list(step) for step in result.steps],
        "substitutions": result.count("S"),
        "deletions": result.count("D"),
        "insertions": result.count("I"),
        "edits": result.edits,
        "value": value,
        "mistakes": slips,
    }


def _transcripts(context: str, ref: tuple[str, ...], hyp: tuple[str, ...]) -> str:
    """The prompt's opening: the scene, then the two transcripts as lines, which wrap on a narrow screen (a table
    cell was cut off)."""
    return (
        f"{context}. Here are the reference and the recogniser's hypothesis, already lower-cased and without "
        f"punctuation; score them exactly as written.\n\n**Reference** ({len(ref)} words): {' '.join(ref)}\n\n"
        f"**Hypothesis** ({len(hyp)} words): {' '.join(hyp)}"
    )
