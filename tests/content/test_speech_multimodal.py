"""The speech-and-multimodal deck: every numeric answer recomputed from the numbers in its front (the alias found in
the spectrum of a decimated tone, STFT frames counted by slicing a real clip, WER by word-level edit distance, CTC
paths collapsed by the rule), and the claims that some choice and open cards rest on checked."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks
from tests.content.numeric_checks import numeric_card_tests

DECKS = builtin_decks()
DECK = DECKS["multimodal"]
BLANK = "_"


def quoted(card_id: str) -> list[str]:
    """The `code` spans of a card's front, where the CTC and WER cards give their paths and sentences."""
    return re.findall(r"`([^`]+)`", DECK.card(card_id).front)


def edit_counts(reference: list[str], hypothesis: list[str]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of a minimum-edit-distance alignment, found by dynamic programming
    and traced back, so a test can check the breakdown an explanation quotes as well as the total."""
    n, m = len(reference), len(hypothesis)
    cost = np.zeros((n + 1, m + 1), dtype=int)
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            match = cost[i - 1, j - 1] + (reference[i - 1] != hypothesis[j - 1])
            cost[i, j] = min(match, cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    subs = dels = ins = 0
    i, j = n, m
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (reference[i - 1] != hypothesis[j - 1]):
            subs += reference[i - 1] != hypothesis[j - 1]
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            dels, i = dels + 1, i - 1
        else:
            ins, j = ins + 1, j - 1
    assert subs + dels + ins == cost[n, m]
    return subs, dels, ins


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = reference.split(), hypothesis.split()
    return sum(edit_counts(ref, hyp)) / len(ref)


def ctc_collapse(path: list[str]) -> str:
    """CTC's many-to-one map: merge runs of the same symbol, then drop blanks."""
    merged = [symbol for k, symbol in enumerate(path) if k == 0 or symbol != path[k - 1]]
    return "".join(symbol for symbol in merged if symbol != BLANK)


def aliased_frequency() -> float:
    """Decimate a real 11 kHz tone from 48 kHz to 16 kHz by keeping every third sample and read the peak."""
    fs, tone, factor = 48_000, 11_000.0, 3
    t = np.arange(fs) / fs  # one second
    decimated = np.sin(2 * np.pi * tone * t)[::factor]
    new_fs = fs // factor
    spectrum = np.abs(np.fft.rfft(decimated))
    freqs = np.fft.rfftfreq(decimated.size, d=1 / new_fs)
    return float(freqs[np.argmax(spectrum)])


def stft_frames() -> float:
    clip = np.zeros(10 * 16_000)
    n_fft, hop = 400, 160
    frames = np.lib.stride_tricks.sliding_window_view(clip, n_fft)[::hop]
    # The two slips the explanation quotes: length / hop, and librosa's centred framing.
    assert clip.size // hop == 1000
    centred = np.lib.stride_tricks.sliding_window_view(np.pad(clip, n_fft // 2), n_fft)[::hop]
    assert centred.shape[0] == 1001
    return float(frames.shape[0])


def mel_4000() -> float:
    assert 2595 * math.log10(1 + 1000 / 700) == pytest.approx(1000, abs=0.05)
    assert 2595 * math.log(1 + 4000 / 700) == pytest.approx(4942, abs=1)  # the natural-log slip
    return 2595 * math.log10(1 + 4000 / 700)


def ctc_collapse_length() -> float:
    blank_sign, shown = quoted("ctc-collapse-numeric")
    assert blank_sign == BLANK
    path = shown.split()
    assert len(path) == 10
    # Blanks dropped before merging: the slip that loses the double l.
    assert ctc_collapse([s for s in path if s != BLANK]) == "helo"
    decoded = ctc_collapse(path)
    assert decoded == "hello"
    return float(len(decoded))


def ctc_min_frames() -> float:
    """The shortest path for the word: one frame per letter and a blank between equal neighbours; no shorter
    path over letters and blanks collapses to it (checked by brute force over every path of one frame fewer)."""
    (word,) = quoted("ctc-min-frames-numeric")
    assert word == "bookkeeper"
    path: list[str] = []
    for k, letter in enumerate(word):
        if k and letter == word[k - 1]:
            path.append(BLANK)
        path.append(letter)
    assert ctc_collapse(path) == word
    # A path of len(path) - 1 frames must emit all 10 letters, leaving 2 slots for blanks; 3 doubled pairs need 3.
    doubled = sum(word[k] == word[k - 1] for k in range(1, len(word)))
    assert doubled == 3 and len(path) - 1 - len(word) < doubled
    return float(len(path))


def wer_by_hand() -> float:
    reference, hypothesis = quoted("wer-by-hand")
    assert len(reference.split()) == 9
    subs, dels, ins = edit_counts(reference.split(), hypothesis.split())
    assert (subs, dels, ins) == (2, 1, 1)
    return round(100 * word_error_rate(reference, hypothesis), 1)


def whisper_positions() -> float:
    samples = 30 * 16_000
    frames = samples // 160
    assert frames == 3000
    kernel, stride, padding = 3, 2, 1  # Whisper's second convolution
    return float((frames + 2 * padding - kernel) // stride + 1)


def clip_mismatched_pairs() -> float:
    n = 1024
    similarity = np.ones((n, n), dtype=bool)
    return float(similarity.sum() - np.trace(similarity))


def clip_dog_probability() -> float:
    cosines = np.array([0.31, 0.29, 0.22])
    logits = 100 * cosines
    p = np.exp(logits - logits.max())
    p /= p.sum()
    raw = np.exp(cosines) / np.exp(cosines).sum()
    assert round(float(raw[0]), 3) == 0.346 and round(float(cosines[0] / cosines.sum()), 3) == 0.378
    return float(p[0])


def llava_tokens() -> float:
    side, patch, images, text = 336, 14, 3, 600
    per_image = (side // patch) ** 2
    assert per_image == 576 and (side // 16) ** 2 == 441
    return float(images * per_image + text)


RECOMPUTE = {
    "aliasing-decimation-numeric": aliased_frequency,
    "stft-frame-count": stft_frames,
    "mel-value-numeric": mel_4000,
    "ctc-collapse-numeric": ctc_collapse_length,
    "ctc-min-frames-numeric": ctc_min_frames,
    "wer-by-hand": wer_by_hand,
    "whisper-encoder-positions": whisper_positions,
    "clip-batch-pairs-numeric": clip_mismatched_pairs,
    "clip-zero-shot-probability": clip_dog_probability,
    "llava-context-tokens": llava_tokens,
}


test_every_numeric_card_is_recomputed, test_numeric_answer = numeric_card_tests(DECK, RECOMPUTE)


def test_wer_can_exceed_one_hundred_percent() -> None:
    """The WER card's example: reference "yes", hypothesis "yes yes I guess" is three insertions, 300%."""
    assert word_error_rate("yes", "yes yes I guess") == pytest.approx(3.0)
    assert "300%" in (DECK.card("wer-definition").back or "")


def test_cer_partial_credit_example() -> None:
    """The CER card: "recognise" vs "recognize" is one word error but one of nine characters."""
    assert word_error_rate("recognise", "recognize") == 1.0
    assert edit_counts(list("recognise"), list("recognize")) == (1, 0, 0) and len("recognise") == 9


def test_ctc_card_example_collapses_as_shown() -> None:
    """The blank card's worked path hh_e_ll_llo passes through h_e_l_lo to hello."""
    path = list("hh_e_ll_llo")
    merged = "".join(s for k, s in enumerate(path) if k == 0 or s != path[k - 1])
    assert merged == "h_e_l_lo" and ctc_collapse(path) == "hello"
    assert "hh_e_ll_llo" in (DECK.card("ctc-blank-collapse").back or "")


def test_an_antialias_filter_removes_the_alias() -> None:
    """The aliasing card's fix: low-pass below the new Nyquist frequency before decimating and the 5 kHz alias
    is gone, while a 3 kHz tone below the cutoff survives."""
    from scipy import signal

    fs = 48_000
    t = np.arange(fs) / fs
    tone = np.sin(2 * np.pi * 11_000 * t)
    filtered = signal.decimate(tone, 3, ftype="fir")
    assert np.abs(filtered[1000:-1000]).max() < 0.05
    kept = signal.decimate(np.sin(2 * np.pi * 3_000 * t), 3, ftype="fir")
    assert np.abs(kept[1000:-1000]).max() > 0.9


def test_pope_yes_ratio_key() -> None:
    """500 present and 500 absent objects, 980 "yes" answers and 50% accuracy force 10 "no"s on each side: recall
    0.98 and precision 0.50, as the key and explanation say."""
    card = DECK.card("pope-yes-ratio")
    assert isinstance(card, ChoiceCard)
    present = absent = 500
    solutions = [
        (tp, fp)
        for tp in range(present + 1)
        for fp in range(absent + 1)
        if tp + fp == 980 and tp + (absent - fp) == 500
    ]
    assert solutions == [(490, 490)]
    ((tp, fp),) = solutions
    assert tp / present == pytest.approx(0.98) and tp / (tp + fp) == pytest.approx(0.5)
    assert "recall is high" in card.answer and "precision sits near chance" in card.answer


def test_clip_mnist_key_is_the_papers_coverage_explanation() -> None:
    """The CLIP paper (§6) blames MNIST on training data with almost no digit-like images; the key says so, and
    the ten-class distractor is refuted by the STL-10 figure the explanation quotes."""
    card = DECK.card("clip-mnist-out-of-distribution")
    assert isinstance(card, ChoiceCard)
    assert "almost no images" in card.answer and "88%" in card.front
    assert "99.3%" in (card.explanation or "") and "ten-class" in (card.explanation or "")


def test_normalising_the_wer_example_leaves_one_error() -> None:
    """The WER card's explanation: mapping mom to mum and rejoining "to night" leaves one deletion, 1/9 = 11.1%."""
    reference, hypothesis = quoted("wer-by-hand")
    normalised = hypothesis.replace("mom", "mum").replace("to night", "tonight")
    assert edit_counts(reference.split(), normalised.split()) == (0, 1, 0)
    assert round(100 * word_error_rate(reference, normalised), 1) == 11.1
    card = DECK.card("wer-by-hand")
    assert isinstance(card, NumericCard) and "11.1%" in (card.explanation or "")
