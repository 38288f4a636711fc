"""The importer scored over the shared corpus of real plans with the corpus' own scorer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kehoach.importer.contract import printed
from kehoach.importer.extract import extract_plan
from kehoach.importer.readers import read_document

from .builders import CORPUS

SCORER = CORPUS.parent / "score.py"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    if not SCORER.exists():
        pytest.skip(f"không có bộ chấm {SCORER} (thư mục dùng chung): bỏ qua chấm điểm")
    out = tmp_path_factory.mktemp("outputs")
    for txt in sorted(CORPUS.glob("*.txt")):
        plan = extract_plan(read_document(txt))
        (out / f"{txt.stem}.json").write_text(json.dumps(printed(plan), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCORER), "--outputs", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)["overall"]


def test_overall_f1(scored):
    assert scored["overall_f1"] >= 0.90


def test_every_category(scored):
    for name, category in scored["categories"].items():
        if category["f1"] is not None:
            assert category["f1"] >= 0.80, name


def test_metadata(scored):
    for field, accuracy in scored["metadata"].items():
        assert accuracy >= 0.8, field


def test_the_command_itself_on_one_plan():
    """The scorer's own way: it runs `kehoach import-plan FILE --json` and reads stdout."""
    if not SCORER.exists():
        pytest.skip(f"không có bộ chấm {SCORER} (thư mục dùng chung): bỏ qua chấm điểm")
    kehoach = Path(sys.executable).with_name("kehoach")
    command = (
        f"{kehoach} import-plan {{file}} --json"
        if kehoach.exists()
        else (f"{sys.executable} -m kehoach.cli import-plan {{file}} --json")
    )
    result = subprocess.run(
        [sys.executable, str(SCORER), "--run", command, "--files", str(CORPUS / "00_*.txt"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    overall = json.loads(result.stdout)["overall"]
    assert overall["overall_f1"] >= 0.90
