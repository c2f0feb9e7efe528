"""The demo company: a deterministic, believable two years of a daylighting maker's sales.

`generate_demo(con, as_of, seed)` replaces every data table with a company modelled on the
seed plan: a Kunshan (昆山) maker of daylighting and ventilation products for industrial
buildings, one sales director, four teams (龙 虎 豹 狼) of a manager and 8-10 sales engineers,
each team owning a region of East China; their clients (design institutes, steel-structure
firms, construction companies, owners), opportunities with their change history, visits,
monthly targets (per rep, and per team as the director sets them), the weekly forecast calls
of everyone (`demo/calls.py`), and the process behind them (`demo/process.py`): every
engineer's monthly plans of the last six months and this one (made on the month's first working
day, signed by rep and manager, reviewed each Monday, some planned visits missed) and the
key-account reviews every ~90 days (a few overdue). Deals open at the project's design
institute more often when they are won, and the star brings the manager along.

Determinism: the same seed and as-of give the same database content. Randomness comes only
from numpy generators seeded with (seed, part) - one stream per part, so a change to how
visits are drawn does not reshuffle the clients - the clock is never read, and every table is
sorted by its key before it is written.

The stories a manager should recognise (`DEMO_STORIES`) are scripted, not left to chance:
they hold for every seed. Amounts won are planned per rep and quarter against the targets and
then split into deals, so team attainment is what the script says, not what the dice say.
"""

from salesmgmt.demo.company import (
    DEMO_STORIES,
    LARGE_SIZE,
    NATIONAL_REGIONS,
    PRODUCTS,
    SIZES,
    STANDARD_SIZE,
    TEAMS,
    DemoSize,
)
from salesmgmt.demo.frames import build_demo_frames
from salesmgmt.demo.writing import generate_demo

__all__ = [
    "DEMO_STORIES",
    "LARGE_SIZE",
    "NATIONAL_REGIONS",
    "PRODUCTS",
    "SIZES",
    "STANDARD_SIZE",
    "TEAMS",
    "DemoSize",
    "build_demo_frames",
    "generate_demo",
]
