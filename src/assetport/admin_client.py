"""`assetport admin`: operator commands sent to the running server of a data directory.

The server writes its address to `<data_dir>/server.json` and keeps the admin token in
`<data_dir>/admin.token` (mode 0600); both are read here, so only someone who can read the
data directory can run these commands. Custody's decisions (approvals) take an operator's
own token instead (`token=`), which the operator gives; the admin token cannot approve.
"""

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SERVER_FILE = "server.json"
TOKEN_FILE = "admin.token"


class AdminError(Exception):
    """Why an admin command could not be done, for the operator; `status` is the server's
    HTTP status when it answered with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def call(
    data_dir: Path, path: str, body: dict[str, Any], *, token: str | None = None
) -> dict[str, Any]:
    """POST `body` to the server's `path`; its JSON answer. `token`: an operator's token
    rather than the data directory's admin token."""
    answer: dict[str, Any] = json.loads(call_text(data_dir, path, body, token=token))
    return answer


def call_text(data_dir: Path, path: str, body: dict[str, Any], *, token: str | None = None) -> str:
    """`call`, answering the body as text (a CSV report)."""
    try:
        server = json.loads((data_dir / SERVER_FILE).read_text(encoding="utf-8"))
        address = f"{server['host']}:{int(server['port'])}"
        scheme = server.get("scheme", "http")
        context = _tls_context(server["tls_cert"]) if scheme == "https" else None
    except FileNotFoundError as exc:
        raise AdminError(
            f"no Assetport server is running for {data_dir} (start it with "
            f"`assetport serve --data-dir {data_dir}`)"
        ) from exc
    except OSError as exc:
        raise AdminError(f"cannot read {data_dir / SERVER_FILE}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError, ssl.SSLError) as exc:
        raise AdminError(
            f"{data_dir / SERVER_FILE} is not the address file `assetport serve` writes"
        ) from exc
    if token is None:
        try:
            token = (data_dir / TOKEN_FILE).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AdminError(f"cannot read the admin token in {data_dir}: {exc}") from exc
    request = urllib.request.Request(
        f"{scheme}://{address}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            text: str = response.read().decode("utf-8")
            return text
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())
            message = f"{error.get('msg')} (code {error.get('code')})"
        except ValueError:
            message = f"HTTP {exc.code}"
        raise AdminError(message, exc.code) from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        raise AdminError(
            f"no Assetport server answers at {address} for {data_dir} ({exc}); is it running?"
        ) from exc


def _tls_context(cert_file: str) -> ssl.SSLContext:
    """Trust the server's own certificate (or its issuers): the server is reached by the
    address it listens on, which its certificate need not name."""
    context = ssl.create_default_context()
    context.load_verify_locations(cert_file)
    context.check_hostname = False
    return context
