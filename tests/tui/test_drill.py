"""Pilot tests: drive whole sessions over a temp database and check what was recorded and shown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Markdown, Static
from tui_support import (
    CHOICE_DECK,
    GENERATED_DECK,
    LEARNING_CURVE_DECK,
    NUMERIC_DECK,
    OPEN_DECK,
    TOPICS_DECK,
    AppFactory,
    Clock,
)

from generators.base import ChoiceAnswer, NumberAnswer
from quizzer.decks.model import Deck
from quizzer.errors import StoreError
from quizzer.session import Session
from quizzer.store import Store
from quizzer.tui.screens.drill import DrillScreen
from quizzer.tui.screens.help import HelpScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.summary import SummaryScreen
from quizzer.tui.widgets.card_panel import CardPanel, Phase
from quizzer.tui.widgets.choice_list import ChoiceList

SIZE = (100, 32)


async def settle(pilot: Pilot) -> None:
    """Let workers (problem generation) finish and their results reach the screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel(pilot: Pilot) -> CardPanel:
    return pilot.app.screen.query_one(CardPanel)


def shown(pilot: Pilot) -> str:
    """All the text on the current screen (Static/Label content and Markdown sources)."""
    pieces = []
    for widget in pilot.app.screen.query("*"):
        if isinstance(widget, Markdown):
            pieces.append(widget.source)
        elif isinstance(widget, Static):
            pieces.append(str(widget.content))
    return "\n".join(pieces)


def reviews(db_path: Path) -> list[dict]:
    with Store(db_path) as store:
        return list(store.reviews())


# -- open cards --------------------------------------------------------------------------------


async def test_open_card_reveal_then_grade_and_reask(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(OPEN_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert "converged" in shown(pilot)
        assert "The loss has settled" not in shown(pilot)
        await pilot.press("space")
        assert panel(pilot).phase is Phase.REVEALED
        assert "The loss has settled" in shown(pilot)
        assert "blackout: no idea" in shown(pilot)  # the meaning of each grade is shown
        await pilot.press("5")
        await settle(pilot)
        # Second card: graded 2, so it comes back later in the session.
        assert "What does this print?" in shown(pilot)
        await pilot.press("enter", "2")
        await settle(pilot)
        assert panel(pilot).item.reask
        assert "What does this print?" in shown(pilot)
        await pilot.press("enter", "4")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    rows = reviews(db_path)
    assert [(r["card_id"], r["quality"], r["reask"], r["correct"]) for r in rows] == [
        ("converged", 5, False, None),
        ("code", 2, False, None),
        ("code", 4, True, None),
    ]


POINTS_DECK = """\
id: points
title: Open cards with key points
cards:
  - id: lasso-vs-ridge
    front: When would you choose Lasso or Ridge?
    back: Lasso when few features matter; it sets coefficients exactly to zero. Ridge when many features
      contribute; it shrinks all of them and zeroes none.
    points:
      - text: "Lasso sets some coefficients exactly to zero"
        also: ["L1 gives a sparse model", "lasso performs feature selection"]
        must: true
      - text: "Ridge shrinks every coefficient without zeroing any"
        also: ["L2 keeps all features", "ridge shrinks all the weights"]
        must: true
  - id: r2
    front: What does R² measure?
    back: The share of the target's variance explained, compared with always predicting the mean.
    points:
      - text: "The share of variance explained"
        also: ["proportion of variance explained", "1 - SS_res / SS_tot"]
        must: true
      - text: "Compared with always predicting the mean"
        also: ["relative to a mean baseline", "negative when worse than the mean"]
"""


def fitted(deck: Deck) -> bool:
    """Is the key-point grader of this very deck object fitted and kept?"""
    from quizzer import keypoints

    return any(model.deck is deck for model in keypoints._models.values())


async def until_phase(pilot: Pilot, phase: Phase) -> None:
    """Typed answers are graded off the event loop: wait for the result to reach the panel."""
    for _ in range(400):
        if panel(pilot).phase is phase:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the panel never reached {phase}")


async def test_open_card_with_points_grades_a_typed_answer(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(POINTS_DECK, drill=True)
    answer = "Lasso sets some coefficients exactly to zero, while ridge shrinks every coefficient."
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The deck's grader was fitted while the first card was on screen, before anything was typed.
        assert fitted(panel(pilot).item.deck)
        for _ in range(2):
            card_id = panel(pilot).item.card.id
            if card_id == "lasso-vs-ridge":
                field = panel(pilot).query_one(Input)
                assert field.has_focus
                field.value = answer
                await pilot.press("enter")
                await until_phase(pilot, Phase.FEEDBACK)
                text = shown(pilot)
                assert "✓ Lasso sets some coefficients exactly to zero" in text
                assert "✓ Ridge shrinks every coefficient without zeroing any" in text
                assert "Lasso when few features matter" in text  # the back is shown too
                assert "proposed grade" in text
                points = panel(pilot).points_grade
                assert points is not None and points.correct and points.quality >= 3
                await pilot.press("enter")  # accepts the proposed grade
            else:
                await pilot.press("enter")  # an empty box reveals for self-grading
                assert panel(pilot).phase is Phase.REVEALED
                assert "compared with always predicting the mean" in shown(pilot)
                await pilot.press("2")
            await settle(pilot)
    rows = {r["card_id"]: r for r in reviews(db_path)}
    assert rows["lasso-vs-ridge"]["answer"] == answer
    assert rows["lasso-vs-ridge"]["correct"] == 1
    assert rows["lasso-vs-ridge"]["quality"] == points.quality
    assert rows["r2"]["quality"] == 2 and rows["r2"]["answer"] is None


async def test_a_grade_picked_over_the_key_point_proposal_is_the_verdict(make_app: AppFactory, db_path: Path) -> None:
    """The grader only proposes a grade for an interview answer: a user who picks 4 over its "Not yet" has the
    answer counted right (it was logged wrong, and the summary listed it as missed)."""
    app = make_app(POINTS_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        while panel(pilot).item.card.id != "lasso-vs-ridge":
            await pilot.press("enter", "4")  # reveal the other card and pass it
            await settle(pilot)
        panel(pilot).query_one(Input).value = "Both are penalties."
        await pilot.press("enter")
        await until_phase(pilot, Phase.FEEDBACK)
        assert "Not yet" in shown(pilot) and panel(pilot).points_grade.quality < 3
        await pilot.press("4")
        await settle(pilot)
    (row,) = [r for r in reviews(db_path) if r["card_id"] == "lasso-vs-ridge"]
    assert (row["quality"], row["correct"]) == (4, 1)


async def test_an_unsure_key_point_verdict_is_left_to_the_learner(make_app: AppFactory, db_path: Path) -> None:
    """"Lasso picks a subset of features" makes Lasso's point in other words, scored just under the bar: the panel
    says it is not sure, marks the point with ?, proposes no grade (Enter accepts nothing), and the grade the
    learner picks decides whether the answer counts as right."""
    app = make_app(POINTS_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        while panel(pilot).item.card.id != "lasso-vs-ridge":
            await pilot.press("enter", "4")
            await settle(pilot)
        panel(pilot).query_one(Input).value = "Lasso picks a subset of features, ridge keeps them all but smaller."
        await pilot.press("enter")
        await until_phase(pilot, Phase.FEEDBACK)
        text = shown(pilot)
        assert "? Not sure" in text and "? Lasso sets some coefficients exactly to zero" in text
        assert "proposed grade" not in text and "grade it yourself" in text
        offered = {binding.description for _, binding, enabled, _ in app.screen.active_bindings.values() if enabled}
        assert "Accept grade" not in offered and "Grade" in offered  # what the footer lists
        await pilot.press("enter")
        await settle(pilot)
        assert panel(pilot).phase is Phase.FEEDBACK  # nothing was accepted
        await pilot.press("4")
        await settle(pilot)
    (row,) = [r for r in reviews(db_path) if r["card_id"] == "lasso-vs-ridge"]
    assert (row["quality"], row["correct"]) == (4, 1)


async def test_open_answers_reveal_keeps_self_grading(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(POINTS_DECK, drill=True, open_answers="reveal")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not panel(pilot).query(Input)
        assert not fitted(panel(pilot).item.deck)  # nothing will be typed: no grader to fit
        await pilot.press("space")
        assert panel(pilot).phase is Phase.REVEALED


# -- numeric cards -------------------------------------------------------------------------------


async def test_the_hint_and_the_grading_mount_when_first_needed_in_their_places(
    make_app: AppFactory, db_path: Path
) -> None:
    """A card starts with the question and its answer line only; the hint line mounts under the answer line with
    its first message, the grading under it and the explanation under the question once an answer is graded."""
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        card = panel(pilot)
        assert not card.query("#hint, #grading, #result")
        await pilot.press(*"two", "enter")
        await pilot.pause()
        assert [child.id for child in card.query_one("#dock").children] == ["answer", "hint"]
        await pilot.press("backspace", "backspace", "backspace", *"2/3", "enter")
        await pilot.pause()
        assert [child.id for child in card.query_one("#dock").children] == ["answer", "hint", "grading"]
        assert not card.query_one("#hint").display  # the hint was about the unreadable entry
        assert "Recall = TP / (TP + FN)" in card.query_one("#result").query_one(Markdown).source
        assert card.query_one("#result").parent is card.query_one(".card-scroll")


async def test_numeric_unreadable_shows_hint_and_is_not_recorded(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"two thirds", "enter")
        hint = app.screen.query_one("#hint", Static)
        assert hint.display and "Could not read that as a number" in str(hint.content)
        assert panel(pilot).phase is Phase.ASKING
        assert app.store.total_reviews() == 0
        # Correct it and submit: graded right.
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"2/3", "enter")
        assert panel(pilot).phase is Phase.FEEDBACK
        assert "✓ Right" in shown(pilot) and "expected 0.667" in shown(pilot)
        assert "Recall = TP / (TP + FN)" in shown(pilot)  # the explanation
        assert app.store.total_reviews() == 0  # committed only when the grade is settled
        await pilot.press("enter")
        await settle(pilot)
    rows = reviews(db_path)
    assert [(r["answer"], r["correct"], r["quality"]) for r in rows] == [("2/3", True, 4)]


async def test_numeric_wrong_with_override_comes_back(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"0.5", "enter")
        assert "✗ Wrong" in shown(pilot) and "0.5 is too low" in shown(pilot)
        assert "accepts grade 1" in shown(pilot)
        await pilot.press("2")  # override the proposed 1
        await settle(pilot)
        # The only card is asked again, as a re-ask.
        assert panel(pilot).item.reask
        assert "0 left" not in str(app.screen.query_one("#progress", Static).content)
        await pilot.press(*"0.667", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        summary = shown(pilot)
        assert "Answered   2" in summary and "Three real cats" in summary  # listed as missed
    rows = reviews(db_path)
    assert [(r["answer"], r["correct"], r["quality"], r["reask"]) for r in rows] == [
        ("0.5", False, 2, False),
        ("0.667", True, 4, True),
    ]


# -- choice cards --------------------------------------------------------------------------------


async def test_choice_number_key_submits_and_multi_answer_toggles(
    make_app: AppFactory, db_path: Path
) -> None:
    app = make_app(CHOICE_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Which number is prime?" in shown(pilot)
        await pilot.press("3")  # "7": one right answer, so the key submits at once
        assert "✓ Right" in shown(pilot)
        choices = app.screen.query_one(ChoiceList)
        assert choices.disabled and choices.marks[2] == "✓"
        await pilot.press("enter")
        await settle(pilot)
        # Several right answers: number keys toggle, Enter submits; one of two ticked is wrong.
        assert "Several options are right" in shown(pilot)
        await pilot.press("enter")
        assert "Tick at least one option" in str(app.screen.query_one("#hint", Static).content)
        await pilot.press("1", "3", "3", "enter")
        assert "✗ Wrong" in shown(pilot) and "Right picks:" in shown(pilot) and "Missed:" in shown(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # The missed card comes back: tick both right answers this time, with arrows and Space.
        assert panel(pilot).item.reask
        await pilot.press("space", "down", "space", "enter")
        assert "✓ Right" in shown(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    rows = reviews(db_path)
    assert [(r["card_id"], r["answer"], r["correct"], r["quality"]) for r in rows] == [
        ("prime", "7", True, 4),
        ("variance-fixes", "More data", False, 1),
        ("variance-fixes", "More data; Stronger regularisation", True, 5),
    ]


async def test_choice_wrong_pick_by_arrows(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(CHOICE_DECK, drill=["choices"], limit=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # "6"
        # The options carry the answer (✓ on "7", ✗ on the pick); the verdict points at them.
        assert "✗ Wrong · ✓ marks the right option" in shown(pilot)
        assert app.screen.query_one(ChoiceList).marks[1] == "✗"
        assert app.screen.query_one(ChoiceList).marks[2] == "✓"
        await pilot.press("enter")
        await settle(pilot)
    assert [(r["answer"], r["correct"]) for r in reviews(db_path)] == [("6", False)]


# -- generated cards -----------------------------------------------------------------------------


async def test_generated_confusion_matrix_right_then_wrong(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(GENERATED_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        item = panel(pilot).item
        problem = item.problem
        assert problem is not None and problem.table is not None
        assert "Read the matrix carefully." in shown(pilot)
        table = app.screen.query_one(".problem-table DataTable", DataTable)
        assert table.row_count == len(problem.table.rows)
        answer = problem.parts[0].answer
        assert isinstance(answer, NumberAnswer)
        await pilot.press(*f"{answer.value + 0.2:.3f}", "enter")
        assert "✗ Wrong" in shown(pilot)
        assert problem.solution.strip().splitlines()[0] in shown(
            pilot
        )  # the worked solution of this instance
        await pilot.press("enter")
        await settle(pilot)
        # The re-ask is a fresh instance of the family.
        again = panel(pilot).item
        assert again.reask and again.problem is not None
        value = again.problem.parts[0].answer.value  # type: ignore[union-attr]
        await pilot.press(*f"{value:.4f}", "enter")
        assert "✓ Right" in shown(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    rows = reviews(db_path)
    assert [(r["kind"], r["correct"], r["quality"], r["reask"]) for r in rows] == [
        ("generated", False, 1, False),
        ("generated", True, 4, True),
    ]
    assert rows[0]["seed"] == item.seed and rows[1]["seed"] == again.seed != item.seed


async def test_generated_learning_curve_two_parts_with_plot(make_app: AppFactory, db_path: Path) -> None:
    from quizzer.tui.widgets.plot import ProblemPlot

    app = make_app(LEARNING_CURVE_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problem = panel(pilot).item.problem
        assert problem is not None and problem.figure is not None and len(problem.parts) == 2
        assert app.screen.query(ProblemPlot)
        first, second = (part.answer for part in problem.parts)
        assert isinstance(first, ChoiceAnswer) and isinstance(second, ChoiceAnswer)
        right_first = [o.name for o in first.options].index(first.correct) + 1
        wrong_second = [o.name for o in second.options].index(second.correct) % len(second.options) + 2
        wrong_second = wrong_second if wrong_second <= len(second.options) else 1
        assert "Part 1 of 2" in shown(pilot)
        await pilot.press(str(right_first))
        assert "Part 2 of 2" in shown(pilot)
        assert app.store.total_reviews() == 0
        await pilot.press(str(wrong_second))
        assert "✗ Wrong" in shown(pilot)  # graded as a whole: one part wrong
        await pilot.press("enter")
        await settle(pilot)
    rows = reviews(db_path)
    assert len(rows) == 1 and rows[0]["correct"] is False
    assert rows[0]["answer"] == "; ".join(
        [first.options[right_first - 1].text, second.options[wrong_second - 1].text]
    )


async def test_generator_failure_skips_the_card_with_a_notice(
    make_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(item: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Session, "prepare", staticmethod(broken))
    app = make_app(GENERATED_DECK, NUMERIC_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Said on the next card's notice line (a toast would cover the card), naming the card and why.
        assert not app._notifications
        assert panel(pilot).item.card.id == "recall-frac"  # the other cards still work
        notice = str(panel(pilot).query_one("#hint").render())
        assert "cm-precision" in notice and "boom" in notice
    assert reviews(db_path) == []


# -- saving --------------------------------------------------------------------------------------


async def test_store_error_is_shown_and_retry_saves(
    make_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    real_record = app.store.record_logged
    failures = [StoreError("The disk holding quizzer.db is full or failing: the last answer was not saved.")]

    def flaky(review: object) -> object:
        if failures:
            raise failures.pop()
        return real_record(review)  # type: ignore[arg-type]

    monkeypatch.setattr(app.store, "record_logged", flaky)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"0.667", "enter", "enter")
        await pilot.pause()
        assert panel(pilot).phase is Phase.UNSAVED
        assert "Not saved" in shown(pilot) and "disk" in shown(pilot)
        assert app.store.total_reviews() == 0
        await pilot.press("q")  # the first q warns instead of leaving
        assert isinstance(app.screen, DrillScreen)
        await pilot.press("enter")  # retry
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    assert [(r["answer"], r["quality"]) for r in reviews(db_path)] == [("0.667", 4)]


# -- leaving, resuming, Home ---------------------------------------------------------------------


async def test_quit_midway_then_resume_shows_updated_counts(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(OPEN_DECK, CHOICE_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DataTable)
        assert [str(cell) for cell in table.get_row("recall")[1:5]] == ["Recall cards", "0", "2", "2"]
        await pilot.press("enter")  # the highlighted deck: recall
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        await pilot.press("space", "5")
        await settle(pilot)
        await pilot.press("q")  # leave mid-session: the summary, then Home
        assert isinstance(app.screen, SummaryScreen)
        assert "1 in the queue" in shown(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        assert [str(cell) for cell in table.get_row("recall")[2:5]] == ["0", "1", "2"]
        assert "1 answered" in str(app.screen.query_one("#today", Static).content)
        await pilot.press("q")
    assert app.return_code == 0
    # Reopen on the same database: the answer is there and the counts show it.
    reopened = make_app(OPEN_DECK, CHOICE_DECK)
    async with reopened.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = reopened.screen.query_one("#decks", DataTable)
        assert [str(cell) for cell in table.get_row("recall")[2:5]] == ["0", "1", "2"]
    assert len(reviews(db_path)) == 1


async def test_leaving_with_a_graded_answer_on_screen_keeps_it(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(NUMERIC_DECK, TOPICS_DECK, drill=True)  # numeric cards only, recall-frac first
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"0.667", "enter", "escape")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    assert [(r["card_id"], r["quality"]) for r in reviews(db_path)] == [("recall-frac", 4)]


async def test_home_ticks_several_decks_and_all(make_app: AppFactory, db_path: Path) -> None:
    app = make_app(OPEN_DECK, NUMERIC_DECK, CHOICE_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Space ticks and the cursor stays: tick recall, move past numbers, tick choices.
        await pilot.press("space", "down", "down", "space", "enter")
        await settle(pilot)
        session = app.screen.session  # type: ignore[attr-defined]
        assert [d.id for d in session.decks] == ["recall", "choices"]
        assert session.total_first_asks == 4
        await pilot.press("escape")  # nothing answered: straight back to Home
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("a")
        await settle(pilot)
        assert [d.id for d in app.screen.session.decks] == ["recall", "numbers", "choices"]  # type: ignore[attr-defined]


async def test_time_spent_and_next_due_in_summary(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK, drill=True, clock=Clock(step=timedelta(seconds=6)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "5")
        await settle(pilot)
        await pilot.press("space", "4")
        await settle(pilot)
        text = shown(pilot)
        assert "Answered   2" in text and "Accuracy   100%" in text
        assert "in all (" in text and "(0 s answering)" not in text
        assert "Next due   tomorrow" in text
        assert "Nothing missed." in text


async def test_nothing_due_in_drill_mode_shows_summary(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK, drill=True, new_per_day=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Nothing was due" in shown(pilot)
        await pilot.press("enter")
    assert app.return_code == 0


# -- app-wide keys -------------------------------------------------------------------------------


async def test_help_lists_keys_and_theme_toggles(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(line.content) for line in app.screen.query("#help-text Static"))
        for key in ("Ctrl+Q", "Ctrl+T", "Space", "0-5", "1-9", "Enter"):
            assert key in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_q_is_typed_into_an_answer_not_quitting(make_app: AppFactory) -> None:
    app = make_app(NUMERIC_DECK, drill=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q", "1")
        assert app.screen.query_one(Input).value == "q1"
        assert isinstance(app.screen, DrillScreen)


async def test_next_problem_is_prepared_while_reading(make_app: AppFactory) -> None:
    app = make_app(OPEN_DECK, GENERATED_DECK, drill=True)  # an open card first, then the generated one
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session = app.screen.session  # type: ignore[attr-defined]
        assert panel(pilot).item.kind == "open"
        upcoming = session.peek()
        assert upcoming is not None and upcoming.kind == "generated" and upcoming.problem is not None


async def test_broken_deck_is_a_notice_naming_file_and_line(make_app: AppFactory) -> None:
    from quizzer.decks.loader import DeckIssue

    app = make_app(OPEN_DECK)
    app.collection.issues.append(
        DeckIssue("decks/broken.yaml", 12, 5, "kind must be one of: open", "cards[3].kind")
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert "decks/broken.yaml:12:5: cards[3].kind: kind must be one of: open" in messages
        assert isinstance(app.screen, HomeScreen)  # the other decks still work
        assert app.screen.query_one("#decks", DataTable).row_count == 1


async def test_an_unexpected_error_is_logged_not_shown(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: HomeScreen) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(HomeScreen, "action_start_all", explode)
    app = make_app(OPEN_DECK)
    with pytest.raises(RuntimeError, match="kaput"):  # Pilot re-raises it for the test ...
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await pilot.pause()
    # ... while a user gets one line and a log file instead of a traceback.
    assert app.crash_report is not None and "kaput" in app.crash_report and "crash.log" in app.crash_report
