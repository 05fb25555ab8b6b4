"""The composition root: `assetport serve` puts the exchange together here.

The one place that imports every face: it opens the engine (in process, or over the command
port), builds the gateway and its views, the accounts, the web pages, the sandbox and the
mail, hands each what it needs of the others (the accounts' sessions to the gateway, the
gateway's rate limiter and clock to the accounts and the sandbox...), and runs the SQL read
model's child process (`read_model.py`). Nothing imports it but the command line.
"""
