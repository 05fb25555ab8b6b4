"""Tokenized real-world assets (issue #17): what a token is a claim on, the reserve an
attestor signs for, and how an issuer's distribution is shared among holders."""
