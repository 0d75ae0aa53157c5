import inspect
import os
from pathlib import Path

import pytest
from hypothesis import settings

from generator.documents import pdf
from generator.xlsx import examples
from tests.support.office import need_libreoffice
from tests.support.workbooks import build_examples
from tests.support.workbooks import CC_EXAMPLE_JSON


# CI runs the property tests on a fixed seed, so a run is repeatable; `make fuzz` searches afresh.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL per session (per xdist worker): tests/support/postgres.py."""
    from tests.support.postgres import Cluster

    with Cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres(postgres_cluster):
    """The URL of a fresh PostgreSQL database with the schema, this test's alone."""
    return postgres_cluster.fresh()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """The state on each backend in turn: a SQLite state folder, then a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return tmp_path / "state"
    return request.getfixturevalue("postgres")


@pytest.fixture
def out(tmp_path):
    return tmp_path / "output"


@pytest.fixture
def cc_example(tmp_path):
    """Seed 000 as a filled workbook, written from its JSON source into the blank template by key."""
    return examples.write(CC_EXAMPLE_JSON, tmp_path / "cc-example.xlsx")


@pytest.fixture
def watcher(tmp_path):
    """Start `gen watch` on tmp_path/inbox (as its own process); stopped at the end of the test."""
    from tests.support.processes import Watch

    started = []

    def start(*extra):
        w = Watch(tmp_path, *extra)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """One warm LibreOffice for the whole session (per xdist worker): tests that stop or kill it check that it
    comes back, so later tests find it working."""
    need_libreoffice(warm=True)
    with pdf.Office(tmp_path_factory.mktemp("office")) as o:
        assert o.warm and o.wait_ready(120)
        yield o


@pytest.fixture(scope="session")
def built_examples(tmp_path_factory):
    """Every example workbook built once per session as Word files (read-only for the tests that share them)."""
    return build_examples(tmp_path_factory.mktemp("examples"))


# Markers are derived from what a test uses, so a new test is marked without anyone remembering to:
# `libreoffice` when it or a fixture it uses converts with LibreOffice, `slow` when it starts `gen watch` or
# `gen serve` as a process, `browser` for Chromium, `postgres` when it runs against PostgreSQL (the `postgres`
# fixtures, or the `backend` fixture's PostgreSQL half), `benchmark` for the benchmark scripts (run by `make
# bench-check`, out of a plain `pytest` run and of `make test`).
_USES = {
    "libreoffice": ("need_libreoffice(", "to_pdf(", "soffice()", '"--pdf"', "pdf.Office("),
    "slow": ("watcher(", "running_server(", '"watch"', '"serve"'),
}


def _sources(item) -> str:
    objs = [getattr(item, "function", None)] + [d.func for defs in item._fixtureinfo.name2fixturedefs.values()
                                                for d in defs]
    return "\n".join(_source(obj) for obj in objs)


_sourced: dict[object, str] = {}  # a fixture's source, read once for all the tests that use it


def _source(obj) -> str:
    if obj not in _sourced:
        try:
            _sourced[obj] = inspect.getsource(obj)
        except (OSError, TypeError):
            _sourced[obj] = ""
    return _sourced[obj]


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder == "benchmarks":
            item.add_marker(pytest.mark.benchmark)
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        if {"postgres", "postgres_cluster"} & set(item.fixturenames) or (
                callspec is not None and callspec.params.get("backend") == "postgres"):
            item.add_marker(pytest.mark.postgres)
        text = _sources(item)
        for marker, needles in _USES.items():
            if any(n in text for n in needles) or (marker == "libreoffice" and "office" in item.fixturenames):
                item.add_marker(getattr(pytest.mark, marker))
    _heaviest_files_first(items)


# Under `--dist loadfile` (make test) each test file runs whole on one worker, its module fixtures built once; the
# files that took longest last time (tests/durations.txt) start first, so that none is left running alone at the end.
_DURATIONS = Path(__file__).with_name("durations.txt")


def _heaviest_files_first(items) -> None:
    took = {}
    for line in _DURATIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            seconds, path = line.split(maxsplit=1)
            took[path] = float(seconds)
    items.sort(key=lambda item: -took.get(item.nodeid.split("::")[0], 0.0))  # stable: a file keeps its order
