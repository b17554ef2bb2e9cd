"""Scoring answers and rounds, the report's topics and what to study next, the scores over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizzer.interview import InterviewAnswer, PastRound, clock_text, history_lines, report, score_answer


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"correct": True}, ("right", 1.0)),
        ({"correct": False}, ("wrong", 0.0)),
        ({"correct": True, "points_made": 3, "points_total": 4}, ("right", 0.75)),
        ({"correct": False, "points_made": 1, "points_total": 4}, ("partly", 0.25)),  # a must-have missed
        ({"correct": False, "points_made": 0, "points_total": 3}, ("wrong", 0.0)),
        ({"correct": None, "answered": False}, ("passed", 0.0)),
    ],
)
def test_score_answer(kwargs: dict, expected: tuple[str, float]) -> None:
    assert score_answer(**kwargs) == expected


def answer(
    position: int, deck_id: str, score: float, seconds: float = 30.0, verdict: str = ""
) -> InterviewAnswer:
    return InterviewAnswer(
        position=position,
        deck_id=deck_id,
        card_id=f"c{position}",
        lane="problem",
        question=f"Question {position}",
        answer="42",
        verdict=verdict or ("right" if score == 1 else "wrong"),  # type: ignore[arg-type]
        score=score,
        missed=() if score == 1 else ("43",),
        seconds=seconds,
        target_seconds=60.0,
        quality=4 if score == 1 else 1,
    )


def test_report_scores_topics_weakest_first_and_picks_three_to_study() -> None:
    answers = [
        answer(0, "metrics", 1.0),
        answer(1, "metrics", 0.0, seconds=75),
        answer(2, "trees", 0.0),
        answer(3, "trees", 0.0, seconds=61),
        answer(4, "svm", 1.0),
        answer(5, "nlp", 0.5, verdict="partly"),
        answer(6, "cnn", 0.0),
    ]
    titles = {"metrics": "Metrics", "trees": "Trees", "svm": "SVMs", "nlp": "NLP", "cnn": "CNNs"}
    result = report(answers, planned=10, minutes=10, seconds=500, titles=titles, finished=False)
    assert result.score == round(2.5 / 7, 4)
    assert [(t.deck_id, t.score, t.questions) for t in result.topics] == [
        ("trees", 0.0, 2),  # ties at 0%: more questions first, then by title
        ("cnn", 0.0, 1),
        ("metrics", 0.5, 2),
        ("nlp", 0.5, 1),
        ("svm", 1.0, 1),
    ]
    assert [t.deck_id for t in result.study_next] == ["trees", "cnn", "metrics"]
    assert result.topics[0].missed == ("Question 2", "Question 3")
    assert result.over_target == 2  # 75 s and 61 s against a 60 s target
    data = result.to_dict()
    assert data["answered"] == 7 and data["planned"] == 10 and data["finished"] is False
    assert data["answers"][1]["over_target"] is True


def test_a_perfect_round_has_nothing_to_study() -> None:
    result = report([answer(0, "metrics", 1.0)], planned=1, minutes=1, seconds=20)
    assert result.study_next == ()
    assert report([], planned=10, minutes=30, seconds=0).score is None


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (75, "1:15"), (3725, "62:05"), (-3, "0:00")])
def test_clock_text(seconds: float, text: str) -> None:
    assert clock_text(seconds) == text


def test_history_lines() -> None:
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    rounds = [
        PastRound(start, 30, 10, 10, 0.55, True, 1700),
        PastRound(start + timedelta(days=1), 30, 10, 3, 0.2, False),
        PastRound(start + timedelta(days=2), 20, 10, 10, 0.8, True, 1300),
    ]
    lines = history_lines(rounds, tz=UTC)
    assert lines[0] == "2025-03-01 09:00   55%  10 questions · 30 min round in 28:20"
    assert lines[1] == "2025-03-02 09:00   20%  3 of 10 questions · 30 min round · abandoned"
    assert lines[3].startswith("Finished rounds, oldest to newest: ") and len(lines[3].split(": ")[1]) == 2
    assert history_lines([])[0].startswith("No mock interviews yet")


def test_question_line_names_what_was_asked() -> None:
    from generators import registry
    from quizzer.decks.model import GeneratedCard, OpenCard
    from quizzer.interview import question_line

    card = GeneratedCard(id="cm", kind="generated", generator="confusion-matrix")
    problem = registry.get("confusion-matrix").generate(3, card.params)
    line = question_line(card, problem)
    assert line.startswith(" ".join(problem.prompt.split())[:80]) and "\n" not in line and len(line) <= 300
    assert question_line(card) == "confusion-matrix problem"  # the problem could not be made
    long = OpenCard(id="o", front="Why?\n\n" + "word " * 100, back="Because.")
    assert question_line(long, width=40) == "Why? " + "word " * 6 + "word…"


def test_report_lines_show_deck_and_answer_text_as_text() -> None:
    from quizzer.tui.screens.interview import report_lines

    given = answer(0, "odd", 0.0)
    tricky = InterviewAnswer(
        **{**{f: getattr(given, f) for f in given.__slots__}, "answer": "[b]x[/b]\x1b[2J"}
    )
    result = report([tricky], planned=1, minutes=1, seconds=90, titles={"odd": "Deck [red]1[/red]\x07"})
    text = "\n".join(str(line) for line in report_lines(result))
    assert "Deck [red]1[/red]␇" in text
    assert "[b]x[/b]␛[2J" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "1:30 of 1:00 (0:30 over)" in text
    assert "Expected" in text and "43" in text
