"""`python -m bot render` and the console's /picture: the bot's pictures written to files offline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

pytestmark = pytest.mark.usefixtures("cli_isolated")


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"BOT_CONFIG": ""}
    code = main(list(argv), env=env, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def config(tmp_path: Path, data: Path = DATA) -> str:
    path = tmp_path / "bot.toml"
    path.write_text(f'[data]\npath = "{data}"\n', encoding="utf-8")
    return str(path)


def png(path: Path) -> Image.Image:
    image = Image.open(path)
    assert image.format == "PNG"
    assert path.stat().st_size < 1024 * 1024
    return image


@pytest.mark.parametrize("what", ["map", "stats", "timeline"])
def test_render_writes_the_picture_where_asked(tmp_path: Path, what: str) -> None:
    out = tmp_path / f"{what}-out.png"
    code, stdout, err = run("--config", config(tmp_path), "render", what, "--out", str(out))
    assert (code, err) == (0, "")
    assert stdout == f"{out}\n"
    assert png(out).width == 1000


def test_render_defaults_to_the_picture_name_in_the_current_folder(tmp_path: Path) -> None:
    code, stdout, _ = run("--config", config(tmp_path), "render", "stats")
    assert code == 0
    assert stdout == "stats.png\n"
    png(tmp_path / "stats.png")


def test_filters_change_the_map(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert run("--config", cfg, "render", "map", "--out", str(tmp_path / "all.png"))[0] == 0
    kind = ("--kind", "recognition")
    code, _, _ = run("--config", cfg, "render", "map", *kind, "--out", str(tmp_path / "r.png"))
    assert code == 0
    assert (tmp_path / "all.png").read_bytes() != (tmp_path / "r.png").read_bytes()


def test_nothing_to_draw_or_bad_filters_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    code, out, err = run("--config", cfg, "render", "timeline", "--from-year", "2090")
    assert (code, out) == (1, "")
    assert err == "error: No events from 2090.\n"
    code, _, err = run("--config", cfg, "render", "map", "--kind", "nonsense")
    assert code == 1
    assert err.startswith("error: Unknown kind 'nonsense'. Use one of: recognition,")
    assert err.count("\n") == 1
    code, _, _ = run("--config", cfg, "render", "map", "--region", "mars")
    assert code == 2  # argparse: not one of the choices
    assert "invalid choice: 'mars'" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))


def test_the_console_saves_pictures(tmp_path: Path) -> None:
    lines = "/picture stats out=chart.png\n/picture map from=abc\n/picture\n/quit\n"
    code, out, _ = run("--config", config(tmp_path), "console", stdin=lines)
    assert code == 0
    assert "Saved chart.png." in out
    assert "'abc' is not a year." in out
    assert "Say what to draw: map, stats, timeline." in out
    png(tmp_path / "chart.png")
