"""The local signer: keys sealed in the data directory, reopened as they were, signing
transactions that recover to the key's address, and never showing a key."""

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from assetport.chain.addresses import Address, to_checksum
from assetport.chain.hd import DepositAddresses, HdWallet
from assetport.chain.signer import (
    CUSTODY_DIR,
    HD_SEED_FILE,
    HOT_KEY_FILE,
    MASTER_KEY_FILE,
    LocalSigner,
    SealedFileError,
    SignerError,
    UnknownKey,
    deposit_key_id,
)

RECIPIENT = "0x1111111111111111111111111111111111111111"


def eip1559(nonce: int = 0, **extra: object) -> dict[str, Any]:
    return {
        "type": 2,
        "chainId": 31337,
        "nonce": nonce,
        "to": RECIPIENT,
        "value": 10**15,
        "gas": 21_000,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**9,
        **extra,
    }


def legacy(nonce: int = 0) -> dict[str, Any]:
    return {
        "chainId": 31337,
        "nonce": nonce,
        "to": RECIPIENT,
        "value": 1,
        "gas": 21_000,
        "gasPrice": 10**9,
    }


def recovered(raw: bytes) -> Address:
    return Address(bytes.fromhex(Account.recover_transaction(raw)[2:]))


def key_of(signer: LocalSigner) -> bytes:
    """The hot private key, taken from inside the signer (which never hands it out), so the
    test can look for it where it must not be."""
    return bytes(signer._hot.key)


def test_first_open_makes_the_keys_and_reopen_finds_the_same(tmp_path: Path) -> None:
    first = LocalSigner.open(tmp_path)
    again = LocalSigner.open(tmp_path)
    assert again.address("hot") == first.address("hot")
    assert again.address("deposit/1000") == first.address("deposit/1000")
    assert first.address("hot") != first.address("deposit/1000")
    assert LocalSigner.open(tmp_path / "other").address("hot") != first.address("hot")


def test_key_files_are_private_and_hold_no_raw_key(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    custody = tmp_path / CUSTODY_DIR
    assert stat.S_IMODE(custody.stat().st_mode) == 0o700
    hot_key = key_of(signer)
    names = sorted(os.listdir(custody))
    assert names == [HD_SEED_FILE, HOT_KEY_FILE, MASTER_KEY_FILE]
    for name in names:
        path = custody / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert hot_key not in path.read_bytes()
        assert hot_key.hex().encode() not in path.read_bytes()


def test_the_deposit_xpub_derives_the_signers_deposit_addresses(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    deposits = DepositAddresses(signer.deposit_xpub())
    for index in (1000, 1001, 77_777):
        assert deposits.address_of(index) == signer.address(deposit_key_id(index))


@pytest.mark.parametrize("make_tx", [eip1559, legacy])
def test_a_signed_transaction_recovers_to_the_signers_address(tmp_path: Path, make_tx: Any) -> None:
    signer = LocalSigner.open(tmp_path)
    for key_id in ("hot", "deposit/1000"):
        signed = signer.sign_transaction(key_id, make_tx(nonce=7))
        assert recovered(signed.raw) == signer.address(key_id) == signed.sender
        assert signed.nonce == 7
        assert len(signed.tx_hash) == 32


def test_a_matching_from_field_is_accepted_and_another_refused(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    tx = eip1559()
    tx["from"] = to_checksum(signer.address("hot"))
    assert recovered(signer.sign_transaction("hot", tx).raw) == signer.address("hot")
    tx["from"] = RECIPIENT
    with pytest.raises(SignerError, match="but this key is"):
        signer.sign_transaction("hot", tx)


def test_a_transaction_without_chain_id_or_nonce_is_refused(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    for missing in ("chainId", "nonce", "gas"):
        tx = eip1559()
        del tx[missing]
        with pytest.raises(SignerError, match=missing):
            signer.sign_transaction("hot", tx)


def test_unknown_key_ids(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    for key_id in ("cold", "deposit/", "deposit/-1", "deposit/01", "deposit/2147483648", "x" * 999):
        with pytest.raises(UnknownKey, match="expected 'hot' or 'deposit/<index>'"):
            signer.address(key_id)
        with pytest.raises(UnknownKey):
            signer.sign_transaction(key_id, eip1559())


def test_nothing_shows_key_material(tmp_path: Path) -> None:
    signer = LocalSigner.open(tmp_path)
    hot_key = key_of(signer).hex()
    signed = signer.sign_transaction("hot", eip1559())
    for text in (repr(signer), str(signer), repr(signed)):
        assert hot_key not in text
        assert hot_key[:16] not in text
    assert to_checksum(signer.address("hot")) in repr(signer)
    with pytest.raises(SignerError) as raised:
        signer.sign_transaction("hot", eip1559(maxFeePerGas="lots"))
    assert hot_key not in str(raised.value)


def test_a_tampered_sealed_file_is_a_clear_error(tmp_path: Path) -> None:
    LocalSigner.open(tmp_path)
    sealed = tmp_path / CUSTODY_DIR / HOT_KEY_FILE
    data = bytearray(sealed.read_bytes())
    data[-1] ^= 0x01
    sealed.write_bytes(bytes(data))
    with pytest.raises(SealedFileError, match="cannot be decrypted: it was altered"):
        LocalSigner.open(tmp_path)


def test_swapped_sealed_files_do_not_open(tmp_path: Path) -> None:
    LocalSigner.open(tmp_path)
    custody = tmp_path / CUSTODY_DIR
    (custody / HOT_KEY_FILE).write_bytes((custody / HD_SEED_FILE).read_bytes())
    with pytest.raises(SealedFileError, match="cannot be decrypted"):
        LocalSigner.open(tmp_path)


def test_a_truncated_sealed_file_is_a_clear_error(tmp_path: Path) -> None:
    LocalSigner.open(tmp_path)
    (tmp_path / CUSTODY_DIR / HD_SEED_FILE).write_bytes(b"\x01abc")
    with pytest.raises(SealedFileError, match="not a sealed key file"):
        LocalSigner.open(tmp_path)


def test_a_lost_master_key_is_reported_not_replaced(tmp_path: Path) -> None:
    LocalSigner.open(tmp_path)
    (tmp_path / CUSTODY_DIR / MASTER_KEY_FILE).unlink()
    with pytest.raises(SealedFileError, match="restore the master key"):
        LocalSigner.open(tmp_path)
    assert not (tmp_path / CUSTODY_DIR / MASTER_KEY_FILE).exists()


def test_a_master_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    LocalSigner.open(tmp_path)
    (tmp_path / CUSTODY_DIR / MASTER_KEY_FILE).chmod(0o644)
    with pytest.raises(SealedFileError, match="readable by others"):
        LocalSigner.open(tmp_path)


def test_the_dev_mnemonic_is_named_and_kept_apart(tmp_path: Path) -> None:
    dev = LocalSigner.from_dev_mnemonic(tmp_path / "sandbox")
    assert dev.is_dev and "dev mnemonic" in repr(dev)
    # deposit/0 is anvil's first funded account: the dev seed is the public one.
    assert to_checksum(dev.address("deposit/0")) == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert LocalSigner.from_dev_mnemonic(tmp_path / "sandbox").address("hot") == dev.address("hot")
    with pytest.raises(SignerError, match="public dev mnemonic, never for real funds"):
        LocalSigner.open(tmp_path / "sandbox")
    LocalSigner.open(tmp_path / "real")
    with pytest.raises(SignerError, match="holds its own deposit seed"):
        LocalSigner.from_dev_mnemonic(tmp_path / "real")
    assert not LocalSigner.open(tmp_path / "real").is_dev
    assert HdWallet.from_mnemonic("test " * 11 + "junk").address_of(5) == dev.address("deposit/5")
