"""Deposit addresses derived per second from the xpub, addresses parsed per second (both
forms), and transactions signed per second by the local signer (hot key and deposit keys).

One process, one core; no chain node. The last line printed is one JSON object.

    python benchmarks/custody_addresses.py --addresses 20000 --signatures 5000
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from assetport.chain.addresses import parse_address, to_bech32, to_checksum
from assetport.chain.hd import DepositAddresses
from assetport.chain.signer import LocalSigner, deposit_key_id

PREFIX = "busan"
FIRST_ACCOUNT = 1000


def per_second(count: int, seconds: float) -> int:
    return round(count / seconds)


def transfer(nonce: int) -> dict[str, Any]:
    return {
        "type": 2,
        "chainId": 31337,
        "nonce": nonce,
        "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "value": 10**15,
        "gas": 21_000,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--signatures", type=int, default=5_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        signer = LocalSigner.open(Path(data_dir))
        deposits = DepositAddresses(signer.deposit_xpub())

        started = time.perf_counter()
        addresses = [
            deposits.address_of(index)
            for index in range(FIRST_ACCOUNT, FIRST_ACCOUNT + args.addresses)
        ]
        derived_s = time.perf_counter() - started

        texts = [to_checksum(a) for a in addresses] + [to_bech32(a, PREFIX) for a in addresses]
        started = time.perf_counter()
        for text in texts:
            parse_address(text, PREFIX)
        parsed_s = time.perf_counter() - started

        started = time.perf_counter()
        for nonce in range(args.signatures):
            signer.sign_transaction("hot", transfer(nonce))
        hot_s = time.perf_counter() - started

        sweeps = max(1, args.signatures // 5)
        started = time.perf_counter()
        for index in range(FIRST_ACCOUNT, FIRST_ACCOUNT + sweeps):
            signer.sign_transaction(deposit_key_id(index), transfer(0))
        sweep_s = time.perf_counter() - started

    figures = {
        "addresses_derived_per_s": per_second(args.addresses, derived_s),
        "addresses_parsed_per_s": per_second(len(texts), parsed_s),
        "hot_signatures_per_s": per_second(args.signatures, hot_s),
        "deposit_key_signatures_per_s": per_second(sweeps, sweep_s),
    }
    print(f"deposit addresses derived from the xpub: {figures['addresses_derived_per_s']:,}/s")
    print(f"addresses parsed (0x and bech32):        {figures['addresses_parsed_per_s']:,}/s")
    print(f"hot wallet signatures (EIP-1559):        {figures['hot_signatures_per_s']:,}/s")
    print(f"deposit key derived + signature (sweep): {figures['deposit_key_signatures_per_s']:,}/s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
