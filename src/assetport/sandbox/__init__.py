"""The learning sandbox (`assetport serve --demo`): test funds and demo market makers."""
