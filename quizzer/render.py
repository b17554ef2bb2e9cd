"""Plain-text rendering of problems and tables, for the CLI (the app has its own widgets)."""

from __future__ import annotations

from generators.base import ChoiceAnswer, Figure, Problem, Table
from quizzer.answers import format_number


def table_text(table: Table) -> str:
    rows = [table.headers, *table.rows]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(table.headers))]
    lines = []
    if table.title:
        lines.append(f"({table.title})")
    for index, row in enumerate(rows):
        cells = [str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("─" * width for width in widths))
    return "\n".join(lines)


def figure_text(figure: Figure, width: int = 72, height: int = 18) -> str:
    """The figure as a terminal plot (plotext), with the numbers beside it."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    for series in figure.series:
        plt.plot(list(series.x), list(series.y), label=series.name, marker="braille")
    if figure.y_range:
        plt.ylim(*figure.y_range)
    plt.title(figure.title)
    plt.xlabel(figure.x_label)
    plt.ylabel(figure.y_label)
    return plt.build()


def choices_text(answer: ChoiceAnswer) -> str:
    return "\n".join(f"  {index}. {option.text}" for index, option in enumerate(answer.options, start=1))


def expected_text(problem: Problem) -> str:
    """The expected answer as a person reads it: numbers rounded, options by their label."""
    shown = []
    for part in problem.parts:
        answer = part.answer
        if isinstance(answer, ChoiceAnswer):
            option = next(o for o in answer.options if o.name == answer.correct)
            shown.append(f"{option.text} ({option.name})" if option.label and option.label != option.name else option.name)
        else:
            shown.append(format_number(answer.value, 6) + (f" {answer.unit}" if answer.unit else ""))
    return "; ".join(shown)


def problem_text(problem: Problem, *, solution: bool = True) -> str:
    out = [f"[{problem.generator} · seed {problem.seed}]", "", problem.prompt.strip(), ""]
    if problem.table is not None:
        out += [table_text(problem.table), ""]
    if problem.figure is not None:
        out += [figure_text(problem.figure), ""]
    for number, part in enumerate(problem.parts, start=1):
        if len(problem.parts) > 1:
            out.append(f"Part {number}: {part.prompt}")
        if isinstance(part.answer, ChoiceAnswer):
            out += [choices_text(part.answer)]
        out.append("")
    if solution:
        out += [f"Expected: {expected_text(problem)}", "", "Solution:", problem.solution.strip()]
    return "\n".join(out)
