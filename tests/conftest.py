"""How `make test` spreads the suite over two processes (pytest-xdist, `--dist loadgroup`):
each test file stays in one process, so its module-scoped servers start once; the browser
tests all go to one process, which starts the one session server and browser they share."""

import pytest


# First: pytest-xdist reads the groups in its own hook of the same name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "browser" if path.startswith("tests/browser/") else path
        item.add_marker(pytest.mark.xdist_group(group))
