"""Custody: the services that join the ledger to the chain (the deposit watcher, the
withdrawal sender, sweeps, hot and cold wallets, the custody report) and Binance's wallet
endpoints over them."""
