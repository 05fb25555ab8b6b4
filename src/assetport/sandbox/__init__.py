"""The learning sandbox (`assetport serve --demo`): test funds, demo market makers and the
mail catcher. A face above the gateway: it sends commands through the gateway's engine and
reads its views; the accounts use its mailboxes only through their own protocol."""
