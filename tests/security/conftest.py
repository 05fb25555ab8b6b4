"""The security suite (issue 13) reuses the real server fixture of the API tests."""

import sys
from pathlib import Path

_API_TESTS = Path(__file__).resolve().parents[1] / "integration" / "api"
if str(_API_TESTS) not in sys.path:
    sys.path.insert(0, str(_API_TESTS))
