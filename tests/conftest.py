"""Groups for pytest-xdist's `--dist loadgroup`: each test file one group, the browser tests
one group together (so one process would start the session server and browser they share).
`make test` runs `--dist loadfile` over two processes for now (three were tried: no faster
on two cores, and the browser tests' 5 s expectations grew tight): in a trial with loadgroup
the browser tests still went to every process, so these marks are not yet what spreads the
suite."""

import pytest


# First: pytest-xdist reads the groups in its own hook of the same name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "browser" if path.startswith("tests/browser/") else path
        item.add_marker(pytest.mark.xdist_group(group))
