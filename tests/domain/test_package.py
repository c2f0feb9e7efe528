"""The shape of the package: no UI framework in the domain, one catalogue, one glossary."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from salesmgmt import i18n
from salesmgmt.glossary import all_measures, glossary_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_importing_salesmgmt_does_not_load_streamlit():
    code = (
        "import sys, pkgutil, importlib, salesmgmt\n"
        "for m in pkgutil.walk_packages(salesmgmt.__path__, 'salesmgmt.'):\n"
        "    if m.name == 'salesmgmt.__main__': continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_chinese_and_english_catalogues_have_the_same_keys():
    import importlib
    import pkgutil

    import salesmgmt.locales as locales

    for info in pkgutil.iter_modules(locales.__path__):
        module = importlib.import_module(f"salesmgmt.locales.{info.name}")
        assert set(module.EN) == set(module.ZH), (
            f"locales/{info.name}: only in EN {sorted(set(module.EN) - set(module.ZH))}, "
            f"only in ZH {sorted(set(module.ZH) - set(module.EN))}"
        )


def test_every_placeholder_of_a_message_exists_in_both_languages():
    import string

    for key, en in i18n.CATALOGUE["en"].items():
        zh = i18n.CATALOGUE["zh"][key]
        names = lambda s: {f[1] for f in string.Formatter().parse(s) if f[1]}  # noqa: E731
        assert names(en) == names(zh), key


def test_the_committed_glossary_is_generated_from_the_measures():
    committed = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert committed == glossary_markdown(), "run: python -m salesmgmt glossary > docs/glossary.md"
    for m in all_measures():
        assert f"`{m.key}`" in committed


def test_money_is_shown_in_wan_in_chinese_and_in_cny_in_english():
    assert i18n.format_money(12_345_678, "zh") == "1,234.6 万元"
    assert i18n.format_money(12_345_678, "en") == "CNY 12,345,678"
    assert i18n.format_money(None, "en") == "–"


def test_the_language_comes_from_a_locale_or_falls_back():
    assert i18n.normalise_lang("zh-CN") == "zh"
    assert i18n.normalise_lang("en_GB") == "en"
    assert i18n.normalise_lang("fr") is None


def test_the_console_script_runs_the_same_main_as_python_m_salesmgmt():
    script = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, name = script["salesmgmt"].split(":")
    entry = getattr(importlib.import_module(module), name)
    main_module = ast.parse((ROOT / "salesmgmt" / "__main__.py").read_text(encoding="utf-8"))
    imported = [
        (node.module, alias.name)
        for node in ast.walk(main_module)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]
    assert (module, name) in imported

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        entry(["--help"])
    assert done.value.code == 0
    by_module = subprocess.run(
        [sys.executable, "-m", "salesmgmt", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert by_module.returncode == 0, by_module.stderr
    assert by_module.stdout == out.getvalue()
