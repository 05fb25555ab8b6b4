"""What every face to the outside shares: the gateway (`api`), the accounts, the sandbox and
the pages import it; it imports none of them.

The error type and its catalogue base (`errors`), JSON decoded within bounds
(`bounded_json`), the users and API keys stores (`users`, `keys`, `labels`), the web session's
credentials and the protocol the REST pipeline checks them through (`sessions`), and the
request's client address and request-weight check (`requests`).
"""
