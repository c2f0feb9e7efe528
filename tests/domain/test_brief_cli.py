"""The `brief` command's contract (issue 15): a team's, region's, the company's or a user's brief
written as PDF or PNG, or exit status 1 with a clear message and no file. Real subprocesses on
the tiny company (tests/tiny.py), real Chromium."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from salesmgmt import auth, db
from salesmgmt.delivery import render
from tests import tiny
from tests.app.browser_support import chromium_or_skip

ROOT = Path(__file__).resolve().parents[2]


def run(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesmgmt", "brief", *args, "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "SALESMGMT_TODAY": "2026-05-31", **env},
    )


@pytest.fixture
def company(tmp_path):
    """The tiny company with a manager of Dragon (chen)."""
    path = tmp_path / "brief.duckdb"
    with db.connect(path) as con:
        tiny.load(con)
        auth.add_user(con, "chen", "manager", "pw", teams=("Dragon",))
    return path


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_a_teams_brief_is_written_as_pdf_and_as_png(company, tmp_path):
    chromium_or_skip()
    out = tmp_path / "dragon.pdf"
    done = run(company, "--team", "Dragon", "--week", "2026-05-31", "--lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = pdf_text(out)
    assert "Weekly brief · Dragon" in text and "Team: Dragon" in text and "CNY 100,000" in text
    assert (out.stat().st_mode & 0o777) == 0o600
    png = tmp_path / "dragon.png"
    done = run(company, "--team", "Dragon", "--lang", "zh", "--out", str(png))  # the week of today
    assert done.returncode == 0, done.stderr
    assert render.png_size(png.read_bytes())[0] == 750


def test_with_as_user_the_brief_is_that_users_scope(company, tmp_path):
    chromium_or_skip()
    out = tmp_path / "chen.pdf"
    done = run(company, "--as-user", "chen", "--lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = pdf_text(out)
    assert "张伟 Zhang" in text and "CNY 100,000" in text
    assert "王强" not in text and "Tiger" not in text


def test_a_team_outside_the_users_scope_is_refused_and_nothing_is_written(company, tmp_path):
    out = tmp_path / "tiger.pdf"
    done = run(company, "--as-user", "chen", "--team", "Tiger", "--out", str(out))
    assert done.returncode == 1
    assert "'chen' may not read the brief of 'Tiger': it is outside their scope" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--team", "Lion", "--out", "x.pdf"), "No team 'Lion'. Teams: Dragon, Tiger."),
        (("--region", "North", "--out", "x.pdf"), "No region 'North'. Regions: East, West."),
        (("--team", "Dragon", "--out", "x.pptx"), "The brief is written as .pdf or .png"),
    ],
)
def test_a_wrong_argument_is_a_message_and_no_file(company, tmp_path, args, message):
    args = tuple(str(tmp_path / a) if a.startswith("x.") else a for a in args)
    done = run(company, *args)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert not list(tmp_path.glob("x.*"))


def test_without_chromium_the_command_says_how_to_install_it(company, tmp_path):
    out = tmp_path / "dragon.pdf"
    done = run(company, "--team", "Dragon", "--out", str(out), SALESMGMT_CHROMIUM=str(tmp_path / "none"))
    assert done.returncode == 1
    assert "apt-get install -y chromium fonts-noto-cjk" in done.stderr and not out.exists()
