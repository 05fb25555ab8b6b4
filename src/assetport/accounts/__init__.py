"""Accounts of people: email and password sign-up and login, web sessions with CSRF
protection, optional TOTP two-factor login, the anti-phishing code, and the API key page's
backend. A floor above the gateway (`api`): it uses the gateway's users, keys and errors,
and the gateway reaches sessions only through `api.session_auth.SessionCheck`.
See docs/accounts.md.
"""
