"""The chain: what Assetport needs of an EVM node, whichever it is (anvil embedded for
development, tests and the sandbox; geth, Besu or the city chain over JSON-RPC in
production), of its contracts, and of the keys and addresses its wallets use."""
