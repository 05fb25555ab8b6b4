"""Accounts of people: email and password sign-up and login, web sessions with CSRF
protection, optional TOTP two-factor login, the anti-phishing code, and the API key page's
backend. Beside the gateway (`api`), neither importing the other: both use the users, keys
and errors of `edge`, the gateway reaches sessions only through `edge.sessions.SessionCheck`,
and the composition root (`server`) hands the accounts what they need of the gateway.
See docs/accounts.md.
"""
