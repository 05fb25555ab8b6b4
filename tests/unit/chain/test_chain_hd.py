"""Deposit addresses: the standard BIP-44 path, derived from the xpub alone exactly as
the wallet that holds the seed derives them."""

import pytest
from bip_utils import Bip32Secp256k1
from eth_account import Account

from assetport.chain.addresses import to_checksum
from assetport.chain.anvil import DEV_MNEMONIC
from assetport.chain.hd import (
    MAX_INDEX,
    DepositAddresses,
    HdKeyError,
    HdWallet,
    generate_wallet,
)

# anvil's (and hardhat's) first dev accounts: m/44'/60'/0'/0/0, /0/1 of the dev mnemonic.
ANVIL_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
ANVIL_KEY_0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture(scope="module")
def dev_wallet() -> HdWallet:
    return HdWallet.from_mnemonic(DEV_MNEMONIC)


def test_the_path_is_the_standard_one(dev_wallet: HdWallet) -> None:
    assert to_checksum(dev_wallet.address_of(0)) == ANVIL_ACCOUNT_0
    assert to_checksum(dev_wallet.address_of(1)) == ANVIL_ACCOUNT_1
    assert dev_wallet.private_key_of(0).hex() == ANVIL_KEY_0


def test_the_xpub_derives_the_wallets_addresses(dev_wallet: HdWallet) -> None:
    deposits = DepositAddresses(dev_wallet.xpub())
    assert dev_wallet.xpub().startswith("xpub")
    for index in (0, 1, 999, 1000, 1001, 123_456, MAX_INDEX):
        assert deposits.address_of(index) == dev_wallet.address_of(index)


def test_each_private_key_is_the_key_of_its_address(dev_wallet: HdWallet) -> None:
    for index in (0, 1000, 1001):
        key = dev_wallet.private_key_of(index)
        assert len(key) == 32
        assert Account.from_key(key).address == to_checksum(dev_wallet.address_of(index))


def test_distinct_users_get_distinct_addresses() -> None:
    wallet, _ = generate_wallet()
    deposits = DepositAddresses(wallet.xpub())
    addresses = {deposits.address_of(index) for index in range(1000, 1500)}
    assert len(addresses) == 500


def test_new_wallets_are_distinct_and_a_seed_restores_its_wallet() -> None:
    first, first_seed = generate_wallet()
    second, _ = generate_wallet()
    assert first.address_of(1000) != second.address_of(1000)
    assert HdWallet(first_seed).xpub() == first.xpub()


def test_indexes_the_xpub_cannot_derive_are_refused(dev_wallet: HdWallet) -> None:
    deposits = DepositAddresses(dev_wallet.xpub())
    for index in (-1, MAX_INDEX + 1, 2**32):
        with pytest.raises(HdKeyError, match="from 0 to 2147483647"):
            deposits.address_of(index)
        with pytest.raises(HdKeyError):
            dev_wallet.private_key_of(index)


def test_the_deposit_watcher_refuses_a_private_key(dev_wallet: HdWallet) -> None:
    xprv = Bip32Secp256k1.FromSeed(HdWallet.seed_of_mnemonic(DEV_MNEMONIC))
    account_xprv = xprv.DerivePath("m/44'/60'/0'").PrivateKey().ToExtended()
    with pytest.raises(HdKeyError, match="extended private key") as raised:
        DepositAddresses(account_xprv)
    assert account_xprv not in str(raised.value)


def test_an_xpub_of_another_level_is_refused() -> None:
    root = Bip32Secp256k1.FromSeed(HdWallet.seed_of_mnemonic(DEV_MNEMONIC))
    chain_xpub = root.DerivePath("m/44'/60'/0'/0").PublicKey().ToExtended()
    with pytest.raises(HdKeyError, match="not an account-level key"):
        DepositAddresses(chain_xpub)


def test_garbage_is_not_an_xpub() -> None:
    with pytest.raises(HdKeyError, match="not an extended public key"):
        DepositAddresses("xpub-not-really")


def test_a_bad_mnemonic_is_refused_without_echoing_it() -> None:
    words = "test " * 11 + "test"
    with pytest.raises(HdKeyError) as raised:
        HdWallet.from_mnemonic(words)
    assert "test test" not in str(raised.value)


def test_the_wallet_never_shows_its_keys(dev_wallet: HdWallet) -> None:
    assert repr(dev_wallet) == str(dev_wallet) == "HdWallet(<redacted>)"
