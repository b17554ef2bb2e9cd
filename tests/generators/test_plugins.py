"""Third-party families register through the `quizzer.generators` entry-point group; decks can only name
what is registered, never a module or a path."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = textwrap.dedent(
    '''
    from generators.base import Generator, NumberAnswer, Params, Part


    class CoinParams(Params):
        flips: int = 10


    class CoinFlips(Generator):
        name = "coin-flips"
        title = "Heads in n fair flips"
        description = "Expected number of heads."
        Params = CoinParams

        def make(self, rng, seed, params):
            n = params.flips + int(rng.integers(0, 5))
            return self.problem(seed, params, prompt=f"Expected heads in {n} fair flips?",
                                parts=(Part("heads?", NumberAnswer(n / 2, tolerance=0)),),
                                solution=f"n/2 = {n / 2}", data={"n": n})
    '''
)


def make_plugin(root: Path) -> None:
    (root / "coinplugin.py").write_text(PLUGIN)
    info = root / "coinplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coinplugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[quizzer.generators]\ncoin-flips = coinplugin:CoinFlips\n")


def run(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.getcwd()])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)


def test_an_installed_plugin_family_is_listed_generated_and_usable_in_decks(tmp_path: Path) -> None:
    make_plugin(tmp_path)
    deck = tmp_path / "coins.yaml"
    deck.write_text("id: coins\ntitle: Coins\ncards:\n"
                    "  - {id: c, kind: generated, generator: coin-flips, params: {flips: 20}}\n")
    result = run(tmp_path, textwrap.dedent(
        f"""
        from pathlib import Path
        from generators import get, names
        from quizzer.decks import load_deck
        assert names()[-1] == "coin-flips", names()
        problem = get("coin-flips").generate(3, {{"flips": 20}})
        assert 10 <= problem.expected <= 12
        deck = load_deck(Path({str(deck)!r}))
        assert deck.cards[0].generator == "coin-flips"
        print("ok")
        """
    ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_deck_cannot_name_a_module(tmp_path: Path) -> None:
    deck = tmp_path / "sneaky.yaml"
    deck.write_text("id: sneaky\ntitle: S\ncards:\n  - {id: c, kind: generated, generator: 'os:system'}\n"
                    "  - {id: d, kind: generated, generator: coinplugin}\n")
    result = run(tmp_path, f"from quizzer.cli import main; main(['decks', 'lint', {str(deck)!r}])")
    assert result.returncode == 1
    assert "cards[0].generator" in result.stdout and "cards[1].generator: unknown generator 'coinplugin'" in result.stdout
