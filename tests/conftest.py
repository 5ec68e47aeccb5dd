"""Shared test hooks."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Mark a test whose body failed, so browser fixtures can save a screenshot of it."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True


@pytest.fixture(scope="session", autouse=True)
def _session_workspace(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Servers started by module-scoped fixtures (browser tests) inherit this: never the repo's data/."""
    import os

    folder = tmp_path_factory.mktemp("workspace")
    os.environ["PHASEKPI_WORKSPACE"] = str(folder / "workspace.duckdb")
    os.environ["PHASEKPI_PROFILES"] = str(folder / "mapping_profiles.json")


@pytest.fixture(autouse=True)
def _own_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own workspace and profiles files (outside its tmp_path), so no test sees
    another's settings; a test may still point PHASEKPI_PROFILES or PHASEKPI_WORKSPACE elsewhere."""
    folder = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("PHASEKPI_WORKSPACE", str(folder / "workspace.duckdb"))
    monkeypatch.setenv("PHASEKPI_PROFILES", str(folder / "mapping_profiles.json"))

