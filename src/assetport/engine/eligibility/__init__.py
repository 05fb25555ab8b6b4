"""Permissioned holding: the accounts' identities, each token's holder rules, frozen holdings."""
