"""Plain-text rendering of problems and tables, for the CLI (the app has its own widgets)."""

from __future__ import annotations

from generators.base import ChoiceAnswer, Figure, Problem, Table


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
    return "\n".join(f"  {index}. {markdown_text(option.text)}" for index, option in enumerate(answer.options, start=1))


def expected_text(problem: Problem) -> str:
    """The expected answer as a person reads it: numbers rounded, options by their label."""
    shown = []
    for part in problem.parts:
        answer = part.answer
        if isinstance(answer, ChoiceAnswer):
            option = next(o for o in answer.options if o.name == answer.correct)
            shown.append(f"{option.text} ({option.name})" if option.label and option.label != option.name else option.name)
        else:
            shown.append(answer.shown())
    return "; ".join(shown)


def markdown_text(text: str, *, width: int = 100) -> str:
    """Markdown as a person reads it in a terminal (bold, tables, code), rendered by Rich as plain text --
    never the raw ``**`` and ``|---|`` of the source, and no escape sequences of our own, so the CLI's
    sanitiser can show any control character that came from a file as a visible symbol."""
    from io import StringIO

    from rich.console import Console
    from rich.markdown import Markdown

    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, no_color=True, highlight=False,
                      color_system=None, emoji=False, markup=False)
    console.print(Markdown(text, hyperlinks=False))
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip().splitlines())


def problem_text(problem: Problem, *, solution: bool = True, width: int = 100) -> str:
    """The problem as the CLI shows it: Markdown rendered, the table and plot drawn, then the solution."""
    out = [f"[{problem.generator} · seed {problem.seed}]", "", markdown_text(problem.prompt.strip(), width=width), ""]
    if problem.table is not None:
        out += [table_text(problem.table), ""]
    if problem.figure is not None:
        out += [figure_text(problem.figure), ""]
    for number, part in enumerate(problem.parts, start=1):
        if len(problem.parts) > 1:
            out.append(markdown_text(f"Part {number}: {part.prompt}", width=width))
        if isinstance(part.answer, ChoiceAnswer):
            out += [choices_text(part.answer)]
        out.append("")
    if solution:
        out += [f"Expected: {expected_text(problem)}", "", "Solution:",
                markdown_text(problem.solution.strip(), width=width)]
    return "\n".join(out)
