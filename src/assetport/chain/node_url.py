"""A chain node's URL as it may be shown in statuses and logs: providers put their API keys
in the path, the query or the credentials, so only the scheme, host and port are kept."""

from urllib.parse import urlsplit, urlunsplit


def redact_url(url: str) -> str:
    """`url` with its credentials, path and query left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, "", "", ""))
