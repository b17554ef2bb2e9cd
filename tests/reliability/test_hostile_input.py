"""No typed answer and no deck file crashes Quizzer; nothing in a deck is ever executed."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generators import get
from quizzer.answers import Unreadable
from quizzer.decks import load_sources
from quizzer.grading import Grade, grade_answer, grade_number, grade_parts, read_choice

BAD = Path(__file__).resolve().parents[1] / "unit" / "bad_decks"
PROBLEMS = [get("confusion-matrix").generate(seed) for seed in range(3)]

answers = st.one_of(
    st.text(max_size=400),
    st.from_regex(r"[\s\-+.,/%eE0-9;]{0,40}", fullmatch=True),
    st.sampled_from(["1/0", "0/0", "1e999", "-", ";;;", "1;2;3", "nan%", "∞", "\x00", "9" * 5000]),
)


@settings(max_examples=300, deadline=None)
@given(answers)
def test_number_grader_never_raises(text: str) -> None:
    assert isinstance(grade_number(text, 0.75, 0.005, 0.0), Grade | Unreadable)


@settings(max_examples=300, deadline=None)
@given(answers, st.lists(st.text(min_size=1, max_size=30), min_size=2, max_size=8, unique=True))
def test_choice_reader_never_raises(text: str, labels: list[str]) -> None:
    picks = read_choice(text, labels)
    if not isinstance(picks, Unreadable):
        assert all(0 <= index < len(labels) for index in picks)


@settings(max_examples=200, deadline=None)
@given(answers)
def test_problem_grader_never_raises(text: str) -> None:
    for problem in PROBLEMS:
        assert isinstance(grade_parts(problem.parts, text), Grade | Unreadable)
        assert isinstance(grade_answer(problem.parts[0].answer, text), Grade | Unreadable)


def test_a_folder_of_hostile_decks_still_loads_the_good_one(tmp_path: Path) -> None:
    for file in BAD.iterdir():
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "zz-good.yaml").write_text("id: good\ntitle: Good\ncards:\n  - {id: a, front: q, back: a}\n")
    collection = load_sources([(tmp_path, False)])
    assert [loaded.deck.id for loaded in collection.decks] == ["good"]
    broken = {Path(issue.path).name for issue in collection.issues}
    assert broken == {file.name for file in BAD.iterdir()}
    assert all(issue.line >= 1 and issue.column >= 1 for issue in collection.issues)
