"""The contract type of our own (tests/import_contracts.py): the code keeps "a domain reaches another only through its
service, schemas or models" as pyproject.toml configures it, a planted import breaks it, and lint-imports finds the
type from the repository root as `make contracts` runs it."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest

from tests.import_contracts import OnlyThroughContract

ROOT = Path(__file__).resolve().parents[1]
NAME = "A domain reaches another only through its service, schemas or models"


def configured() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["name"] == NAME]
    return {key: value for key, value in contract.items() if key not in ("name", "type")}


def contract(**changes: Any) -> OnlyThroughContract:
    return OnlyThroughContract(name=NAME, session_options={}, contract_options={**configured(), **changes})


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("tradewind", exclude_type_checking_imports=True)


def crossings_with(graph: grimp.ImportGraph, importer: str, imported: str) -> list[tuple[str, str]]:
    planted = copy.deepcopy(graph)
    planted.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    check = contract().check(planted, verbose=False)
    return [(c.importer, c.imported) for c in check.metadata["crossings"]]


def test_the_domains_keep_the_contract(graph: grimp.ImportGraph) -> None:
    assert "ignore_imports" not in configured()  # kept by the code itself, with no exception
    check = contract().check(copy.deepcopy(graph), verbose=False)
    assert [(c.importer, c.imported) for c in check.metadata["crossings"]] == []
    assert check.kept


def test_an_import_past_the_service_breaks_it(graph: grimp.ImportGraph) -> None:
    planted = ("tradewind.messaging.groups", "tradewind.logistics.watch")
    assert crossings_with(graph, *planted) == [planted]
    # Within a domain, and into another's service, schemas or models, is what the contract allows.
    assert crossings_with(graph, "tradewind.messaging.groups", "tradewind.messaging.outbox") == []
    for public in ("service", "schemas", "models"):
        assert crossings_with(graph, "tradewind.messaging.groups", f"tradewind.logistics.{public}") == []


def test_producers_are_public_to_the_brief_s_list_alone(graph: grimp.ImportGraph) -> None:
    assert crossings_with(graph, "tradewind.brief.producers", "tradewind.suppliers.producers") == []
    planted = ("tradewind.messaging.groups", "tradewind.planning.producers")
    assert crossings_with(graph, *planted) == [planted]


def test_lint_imports_finds_the_contract_type_from_the_repository_root() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert f"{NAME} KEPT" in done.stdout, done.stdout + done.stderr
