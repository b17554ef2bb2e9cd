"""A whole mock interview in the app at 80×24: started from Home, every kind of question answered, the
clock and the over-target mark, the report (text from decks and answers never markup), and what was stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interview_support import METRICS, NOW, REGRESSION, TREES, collection
from textual.pilot import Pilot
from textual.widgets import Input, Static

from quizzer import keypoints
from quizzer.decks.model import Deck, OpenCard
from quizzer.interview import InterviewRequest
from quizzer.keypoints import PointResult, PointsGrade
from quizzer.session import SessionConfig
from quizzer.store import Store
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.interview import InterviewReportScreen, InterviewScreen
from quizzer.tui.widgets.card_panel import CardPanel, Phase

SIZE = (80, 24)
CONFIG = SessionConfig(tz=UTC)
TRICKY = "ridge [b]not bold[/b] \x1b[31m"  # markup and an escape sequence: shown as typed, harmlessly


class Clock:
    """Moves only when told."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, check: object, what: str) -> None:
    for _ in range(400):
        if check():  # type: ignore[operator]
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def screen_text(pilot: Pilot) -> str:
    return "\n".join(str(widget.content) for widget in pilot.app.screen.query(Static))


async def answer_current(pilot: Pilot, clock: Clock, *, slow: bool, typed: bool) -> None:
    """Answer the question on screen: a typed explain-it answer (or pass on it), a number, an option."""
    panel = pilot.app.screen.query_one(CardPanel)
    card = panel.item.card
    if slow:
        clock.now += timedelta(seconds=90)  # over the 1:00 target
    if card.kind == "open":
        if typed:
            panel.query_one(Input).value = TRICKY
            await pilot.press("enter")
            await until(pilot, lambda: panel.phase is Phase.FEEDBACK, "the typed answer graded")
            await pilot.press("enter")
        else:
            await pilot.press("enter")  # an empty box: pass on it, the answer is shown
            await until(pilot, lambda: panel.phase is Phase.REVEALED, "the answer revealed")
            await pilot.press("1")
    elif card.kind == "numeric":
        panel.query_one(Input).value = str(card.answer)
        await pilot.press("enter")
        await until(pilot, lambda: panel.phase is Phase.FEEDBACK, "the number graded")
        await pilot.press("enter")
    else:
        await pilot.press("4")  # the fourth option: wrong on every judgement call here
        await until(pilot, lambda: panel.phase is Phase.FEEDBACK, "the option graded")
        await pilot.press("enter")
    clock.now += timedelta(seconds=5)


async def test_home_key_starts_a_round_and_leaving_at_once_stores_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "q.db") as store:
        app = QuizzerApp(
            store, collection(REGRESSION, METRICS, TREES), clock=Clock(), seed=4, config=CONFIG, recall_wait=0
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            await pilot.press("i")
            await until(pilot, lambda: bool(app.screen.query(CardPanel)), "the first question")
            screen = app.screen
            assert isinstance(screen, InterviewScreen)
            assert screen.round.planned == 10 and screen.round.target == 180  # 30 minutes, 10 questions
            assert str(screen.query_one("#where", Static).content).startswith("Q1/10 · ")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen), "back on Home")
        assert store.interviews() == [] and store.total_reviews() == 0


def half_the_points(deck: Deck, card: OpenCard, answer: str) -> PointsGrade:
    """Stands in for the key-point grader (tested in tests/tui and tests/unit; its first use loads
    scikit-learn, seconds this test does not need): the first point made, the others missed."""
    assert card.points
    results = tuple(
        PointResult(p.text, n == 0, 1.0 if n == 0 else 0.0, (), p.must) for n, p in enumerate(card.points)
    )
    return PointsGrade(results, quality=3, correct=True)


async def test_a_whole_round_and_its_report(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(keypoints, "grade_answer", half_the_points)
    clock = Clock()
    with Store(tmp_path / "q.db") as store:
        decks = collection(REGRESSION, METRICS, TREES)
        request = InterviewRequest([loaded.deck for loaded in decks.decks], minutes=4, questions=4)
        app = QuizzerApp(store, decks, clock=clock, seed=4, config=CONFIG, interview=request, recall_wait=0)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, InterviewScreen), "the round started")
            screen = app.screen
            assert isinstance(screen, InterviewScreen)
            kinds = sorted(c.card.kind for c in screen.round.questions)
            assert kinds == [
                "choice",
                "numeric",
                "open",
                "open",
            ]  # explain-it ×2, a problem, a judgement call
            typed = False
            for number in range(4):
                await until(pilot, lambda: bool(app.screen.query(CardPanel)), "a question on screen")
                where = str(app.screen.query_one("#where", Static).content)
                assert where.startswith(f"Q{number + 1}/4 · ")
                clock_line = str(app.screen.query_one("#progress", Static).content)
                assert "/4:00" in clock_line and "/1:00" in clock_line
                kind = app.screen.query_one(CardPanel).item.card.kind
                first_open = kind == "open" and not typed
                await answer_current(pilot, clock, slow=number == 1, typed=first_open)
                typed = typed or first_open
            await until(pilot, lambda: isinstance(app.screen, InterviewReportScreen), "the report")
            text = screen_text(pilot)
            assert text.startswith("Mock interview ")
            for heading in ("Score per topic, weakest first", "Study next", "Questions"):
                assert heading in text
            assert "1 of 4 answers took longer than the 1:00 target" in text
            assert "ridge [b]not bold[/b] ␛[31m" in text  # the typed answer, as text
            assert "over target" in text and "passed on" in text and "no answer given" in text
            assert "✓ right · 50% of the key points" in text
            await pilot.press("pagedown", "pagedown")
            await pilot.press("enter")  # started from the command line: Enter quits
        [stored] = store.interviews()
        assert stored["finished_at"] is not None and stored["answered"] == 4 and stored["planned"] == 4
        assert store.total_reviews() == 4
        answers = store.interview_answers(stored["id"])
        assert sum(a["seconds"] > a["target_seconds"] for a in answers) == 1
        assert any(a["answer"] == TRICKY for a in answers)
        assert {a["verdict"] for a in answers} >= {"passed", "right", "wrong"}


async def test_ending_early_keeps_the_answers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    with Store(tmp_path / "q.db") as store:
        decks = collection(METRICS)
        request = InterviewRequest([loaded.deck for loaded in decks.decks], minutes=5, questions=4)
        app = QuizzerApp(store, decks, clock=clock, seed=2, config=CONFIG, interview=request, recall_wait=0)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: bool(app.screen.query(CardPanel)), "a question on screen")
            await answer_current(pilot, clock, slow=False, typed=False)
            await until(pilot, lambda: "Q2/4" in str(app.screen.query_one("#where", Static).content), "Q2")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, InterviewReportScreen), "the report")
            assert "ended early: 1 of 4 questions" in screen_text(pilot)
            await pilot.press("enter")  # started from the command line: Enter quits
        [stored] = store.interviews()
        assert stored["finished_at"] is None and stored["answered"] == 1
        assert store.total_reviews() == 1


async def test_the_round_waits_briefly_for_the_recall_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """From the command line no readiness is loaded yet: the round starts once the model answers or the
    short wait is over, whichever comes first, and only once."""
    with Store(tmp_path / "q.db") as store:
        decks = collection(METRICS)
        request = InterviewRequest([loaded.deck for loaded in decks.decks], minutes=5, questions=3)
        app = QuizzerApp(
            store, decks, clock=Clock(), seed=2, config=CONFIG, interview=request, recall_wait=0.3
        )
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: bool(app.screen.query(CardPanel)), "a question on screen")
            await pilot.pause(0.4)  # both the model and the timer have had their say by now
            screens = [type(screen).__name__ for screen in app.screen_stack]
            assert screens.count("InterviewScreen") == 1 and "ChoosingScreen" not in screens
            await pilot.press("escape")
