"""The issuer agents' store (edge/issuer_agents.py): an agent's token is shown once and
opens only as that agent of its one issuer; the file keeps no token, only its hash, and is
its owner's alone; what the command line changes, the server's copy sees at once."""

import hashlib
import stat
from pathlib import Path

import pytest

from assetport.edge.issuer_agents import IssuerAgent, IssuerAgentError, IssuerAgents


def test_a_token_opens_as_its_agent_of_its_issuer_only(tmp_path: Path) -> None:
    agents = IssuerAgents.open(tmp_path)
    gold = agents.add(101, "kim.treasury", now_ms=1_000)
    silver = agents.add(102, "lee", now_ms=2_000)
    assert gold.startswith("ia_") and gold != silver
    assert agents.authenticate(gold) == IssuerAgent("kim.treasury", 101, 1_000)
    assert agents.authenticate(silver) == IssuerAgent("lee", 102, 2_000)
    for wrong in (None, "", gold[:-1], gold + "x", "op_" + gold[3:], gold[3:], "ia_" + "a" * 200):
        assert agents.authenticate(wrong) is None, wrong


def test_the_file_is_private_and_keeps_only_each_tokens_hash(tmp_path: Path) -> None:
    agents = IssuerAgents.open(tmp_path)
    token = agents.add(101, "kim")
    assert stat.S_IMODE(agents.path.stat().st_mode) == 0o600
    kept = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert token.encode() not in kept
    assert hashlib.sha256(token.encode()).hexdigest().encode() in kept


def test_a_change_from_the_command_line_counts_at_once_for_the_server(tmp_path: Path) -> None:
    server, command_line = IssuerAgents.open(tmp_path), IssuerAgents.open(tmp_path)
    token = command_line.add(103, "park", now_ms=5)
    assert server.authenticate(token) == IssuerAgent("park", 103, 5)
    command_line.remove("park")
    assert server.authenticate(token) is None
    assert server.registered() == []


def test_agents_are_listed_by_issuer_and_name(tmp_path: Path) -> None:
    agents = IssuerAgents.open(tmp_path)
    agents.add(102, "b", now_ms=1)
    agents.add(101, "z", now_ms=2)
    agents.add(101, "a", now_ms=3)
    assert [(a.issuer, a.name) for a in agents.registered()] == [(101, "a"), (101, "z"), (102, "b")]


@pytest.mark.parametrize(
    ("issuer", "name", "says"),
    [
        (99, "kim", "treasury account, 100 to 499"),
        (500, "kim", "treasury account, 100 to 499"),
        (101, "", "1 to 32 lower-case"),
        (101, "Kim", "1 to 32 lower-case"),
        (101, "kim lee", "1 to 32 lower-case"),
        (101, "1kim", "1 to 32 lower-case"),
        (101, "k" * 33, "1 to 32 lower-case"),
    ],
)
def test_bad_issuers_and_names_are_refused(
    tmp_path: Path, issuer: int, name: str, says: str
) -> None:
    agents = IssuerAgents.open(tmp_path)
    with pytest.raises(IssuerAgentError, match=says):
        agents.add(issuer, name)
    assert agents.registered() == []


def test_a_name_is_one_agent_and_removing_an_unknown_one_is_refused(tmp_path: Path) -> None:
    agents = IssuerAgents.open(tmp_path)
    first = agents.add(101, "kim", now_ms=7)
    with pytest.raises(IssuerAgentError, match="exists already"):
        agents.add(102, "kim")  # not even for another issuer
    assert agents.authenticate(first) == IssuerAgent("kim", 101, 7)
    with pytest.raises(IssuerAgentError, match="no agent is named 'lee'"):
        agents.remove("lee")
