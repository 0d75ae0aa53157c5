"""The compiled templates kept between runs (documents/template_cache.py): a second process loads them without
docxtpl or Jinja's compiler, and a cache that is damaged, planted where others may write, or unusable changes
nothing in the documents."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from generator.documents import compiled, registry, template_cache
from generator.rules import scoring, validate
from generator.spec.paths import DOCX_DIR, EXAMPLES_DIR
from generator.xlsx import examples, reading

ANNEX = DOCX_DIR / "annex_cc.docx"

LOAD = """
import sys
from pathlib import Path
from generator.documents import compiled
compiled.CompiledDocx.load(Path(sys.argv[1]))
print("docxtpl" in sys.modules, "jinja2.compiler" in sys.modules and sys.modules["jinja2.compiler"].__name__)
"""


def _load_in_process(cache) -> str:
    env = {**os.environ, "GEN_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", LOAD, str(ANNEX)], env=env, capture_output=True, text=True,
                          check=True, timeout=60).stdout.split()[0]


def test_a_second_process_loads_the_template_without_docxtpl(tmp_path):
    assert _load_in_process(tmp_path / "cache") == "True"  # the first cleans the template up with docxtpl
    entries = sorted(p.name.split("-")[0] for p in (tmp_path / "cache" / "templates").iterdir())
    assert entries == ["docxtpl", "jinja", "jinja"]  # the annex's body and its footer
    assert _load_in_process(tmp_path / "cache") == "False"


def test_processes_filling_the_cache_at_once_leave_it_whole(tmp_path):
    """Entries are written under another name and renamed: four processes starting on an empty cache at once
    all load the template, and the next reads whole entries."""
    env = {**os.environ, "GEN_CACHE_DIR": str(tmp_path / "cache")}
    started = [subprocess.Popen([sys.executable, "-c", LOAD, str(ANNEX)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in started:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    left = [p.name for p in (tmp_path / "cache" / "templates").iterdir() if ".tmp" in p.name]
    assert not left
    assert _load_in_process(tmp_path / "cache") == "False"


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    workbook = examples.write(EXAMPLES_DIR / "cc-chattogram-2023-24-q1.json", tmp_path_factory.mktemp("w") / "w.xlsx")
    report, _ = validate.check(reading.read(workbook))
    return registry.Job(report, scoring.score_report(report), "৪৬-১", dt.date(2024, 1, 10))


def _annex(job, cache, monkeypatch) -> bytes:
    monkeypatch.setenv("GEN_CACHE_DIR", str(cache))
    template = compiled.CompiledDocx.load(ANNEX)
    return template.render(registry.context(job.report.kind.documents[-1], job))


def test_documents_the_same_with_the_cache_without_it_and_with_it_damaged(tmp_path, monkeypatch, job):
    without = _annex(job, "", monkeypatch)
    cache = tmp_path / "cache"
    assert _annex(job, cache, monkeypatch) == without  # filled
    assert _annex(job, cache, monkeypatch) == without  # read back
    for entry in (cache / "templates").iterdir():  # every entry damaged: cut short, or another kind of value
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if entry.name.startswith("jinja") else b'{"word/document.xml": 1}')
    assert _annex(job, cache, monkeypatch) == without
    assert _annex(job, cache, monkeypatch) == without  # and made again


def test_an_entry_damaged_into_other_well_formed_json_is_made_again(tmp_path, monkeypatch, job):
    """Found by a hostile run: an entry whose parts were emptied (still valid JSON) filled an empty letter that
    was reported built. Its checksum no longer matches: the template is cleaned up again."""
    without = _annex(job, "", monkeypatch)
    cache = tmp_path / "cache"
    _annex(job, cache, monkeypatch)
    (entry,) = (cache / "templates").glob("docxtpl-*.json")
    found = json.loads(entry.read_text("utf-8"))
    for damaged in ({**found, "parts": {name: "" for name in found["parts"]}},
                    {**found, "parts": {name: xml[: len(xml) // 2] for name, xml in found["parts"].items()}}):
        entry.write_text(json.dumps(damaged), "utf-8")
        assert _annex(job, cache, monkeypatch) == without


def test_a_cache_others_may_write_to_is_not_used(tmp_path, monkeypatch, job):
    """What is cached runs as Jinja code: an entry planted in a folder anyone may write to is never read."""
    without = _annex(job, "", monkeypatch)
    cache = tmp_path / "cache"
    _annex(job, cache, monkeypatch)
    (entry,) = (cache / "templates").glob("docxtpl-*.json")
    parts = {name: xml.replace("{{", "PLANTED {{", 1) for name, xml in json.loads(entry.read_text("utf-8"))["parts"].items()}
    planted = json.dumps({"sum": template_cache._sum(parts), "parts": parts})  # as whoever could write there would
    entry.write_text(planted, "utf-8")
    for folder in (cache, cache / "templates"):  # either may be swapped by whoever can write to it
        folder.chmod(0o777)
        template_cache._private.cache_clear()
        assert _annex(job, cache, monkeypatch) == without
        assert entry.read_text("utf-8") == planted  # nor written to
        folder.chmod(0o700)
    template_cache._private.cache_clear()
    assert "PLANTED" in _body(_annex(job, cache, monkeypatch))  # (the planted entry is what the check kept out)


def _body(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize("how", ["a file", "no permission", "empty"])
def test_a_cache_that_cannot_be_used_changes_nothing(tmp_path, monkeypatch, job, how):
    without = _annex(job, "", monkeypatch)
    if how == "a file":
        cache = tmp_path / "cache"
        cache.write_text("not a folder")
    elif how == "no permission":
        if os.getuid() == 0:
            cache = tmp_path / "owned" / "cache"  # root may write anywhere: a folder owned by another user
            cache.mkdir(parents=True)
            (cache / "templates").mkdir()
            os.chown(cache / "templates", 12345, 12345)
        else:
            (tmp_path / "locked").mkdir(mode=0o500)
            cache = tmp_path / "locked" / "cache"
    else:
        cache = ""
    template_cache._private.cache_clear()
    assert _annex(job, cache, monkeypatch) == without
