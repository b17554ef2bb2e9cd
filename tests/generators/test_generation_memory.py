"""No family imports scipy or scikit-learn (or numpy's masked arrays, or pydantic) to make a problem.

Importing scikit-learn costs a drill session about 90 MB of memory and scipy.stats about 70 MB, more than
everything else a 1,000-answer session holds (issue 16's peak-RSS row). Every family that needs a library
routine computes it with numpy in the library's own steps and keeps the library in its tests, which compare
the two. ``numpy.ma`` (1.2 MB) comes in through ``np.unique`` asked for values alone: the families call
``generators._arrays``. pydantic (about 8 MB) is imported only to validate params a card sets
(``generators.base.Params``). One fresh interpreter makes 40 problems of each family in turn (every question
each draws) and names the first family after which any of them is loaded.
"""

from __future__ import annotations

import subprocess
import sys

from generators import names
from tests.generators.family_checks import ROOT

SEEDS = 40


def test_no_family_loads_scipy_sklearn_numpy_ma_or_pydantic_to_make_problems() -> None:
    code = (
        "import sys; from generators import get, names\n"
        "for name in names():\n"
        f"    for seed in range({SEEDS}): get(name).generate(seed)\n"
        "    loaded = {'scipy', 'sklearn', 'numpy.ma', 'pydantic'} & {*sys.modules, *(module.split('.')[0] for module in sys.modules)}\n"
        "    if loaded:\n"
        "        print(name, sorted(loaded))\n"
        "        break\n"
        "else:\n"
        "    print('none', len(names()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout.split() == ["none", str(len(names()))], f"loads them: {result.stdout}"
