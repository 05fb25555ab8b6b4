"""The local signer against a real anvil: its hot wallet receives ETH, then sends some on
with a transaction it signed, and the balances move by exactly the value and the fee."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import Web3

from assetport.chain.addresses import Address, to_checksum
from assetport.chain.anvil import CHAIN_ID, DEV_MNEMONIC, Anvil
from assetport.chain.hd import HdWallet
from assetport.chain.signer import LocalSigner, SignedTransaction, deposit_key_id

ETH = 10**18
GWEI = 10**9
# anvil's first dev account (m/44'/60'/0'/0/0 of its public mnemonic): 10,000 ETH.
FUNDER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture(scope="module")
def web3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    with Anvil.start(tmp_path_factory.mktemp("anvil"), persist=False) as node:
        yield Web3(Web3.HTTPProvider(node.url))


def checksummed(address: Address) -> ChecksumAddress:
    return Web3.to_checksum_address(to_checksum(address))


def transfer(web3: Web3, sender: str, to: str, value: int) -> dict[str, Any]:
    block = web3.eth.get_block("latest")
    base_fee = int(block["baseFeePerGas"])
    return {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": web3.eth.get_transaction_count(Web3.to_checksum_address(sender)),
        "to": to,
        "value": value,
        "gas": 21_000,
        "maxFeePerGas": 2 * base_fee + GWEI,
        "maxPriorityFeePerGas": GWEI,
    }


def send(web3: Web3, signed: SignedTransaction) -> Any:
    tx_hash = web3.eth.send_raw_transaction(signed.raw)
    assert bytes(tx_hash) == signed.tx_hash  # the hash recorded before broadcast is the one
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    return receipt


def test_the_hot_wallet_receives_and_sends(web3: Web3, tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    hot = checksummed(signer.address("hot"))
    funder = Account.from_key(FUNDER_KEY)
    funding = funder.sign_transaction(transfer(web3, funder.address, hot, 2 * ETH))
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(funding.raw_transaction))
    assert web3.eth.get_balance(hot) == 2 * ETH

    recipient = checksummed(HdWallet.from_mnemonic(DEV_MNEMONIC).address_of(9))
    before = web3.eth.get_balance(recipient)
    signed = signer.sign_transaction("hot", transfer(web3, hot, recipient, ETH // 4))
    assert signed.nonce == 0
    receipt = send(web3, signed)

    fee = int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
    assert web3.eth.get_balance(recipient) == before + ETH // 4
    assert web3.eth.get_balance(hot) == 2 * ETH - ETH // 4 - fee
    assert web3.eth.get_transaction_count(hot) == 1


def test_a_deposit_address_sweeps_into_the_hot_wallet(web3: Web3, tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    hot = checksummed(signer.address("hot"))
    deposit = checksummed(signer.address(deposit_key_id(1000)))
    funder = Account.from_key(FUNDER_KEY)
    funding = funder.sign_transaction(transfer(web3, funder.address, deposit, ETH))
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(funding.raw_transaction))

    sweep = transfer(web3, deposit, hot, 0)
    sweep["value"] = ETH - sweep["gas"] * sweep["maxFeePerGas"]  # all but the most gas costs
    receipt = send(web3, signer.sign_transaction(deposit_key_id(1000), sweep))

    assert web3.eth.get_balance(hot) == sweep["value"]
    fee = int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
    assert web3.eth.get_balance(deposit) == ETH - sweep["value"] - fee
