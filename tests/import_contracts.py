"""Import contracts that import-linter has no type for, registered in pyproject.toml's [tool.importlinter]
`contract_types` (lint-imports runs from the repository root, which it puts on the path, so `tests.import_contracts`
is found in a clean clone; ruff, mypy and tests/test_import_contracts.py check it like the rest of tests/).

`only_through`: a container (a domain) reaches another only through that one's public modules (its `service`,
`schemas`, `models`); whatever else it has is its own. A plug-in module (the domains' `producers`) is public to the
modules that plug them in (the brief's list of producers) and to no one else."""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.domain.imports import ImportExpression


@dataclass(frozen=True)
class Crossing:
    """An import from one container into a module of another that is not its public surface."""

    importer: str
    imported: str
    line_numbers: tuple[int, ...]


def container_of(module: str, containers: list[str]) -> str | None:
    """The container a module is in (the container itself included), the innermost one when they nest."""
    found = [c for c in containers if module == c or module.startswith(c + ".")]
    return max(found, key=len) if found else None


def is_public(imported: str, container: str, public: list[str]) -> bool:
    """Whether a module is one of the container's public modules or inside one (`models` as a package)."""
    rest = imported.removeprefix(container + ".")
    return imported != container and rest.split(".")[0] in public


def crossings(
    graph: grimp.ImportGraph,
    *,
    containers: list[str],
    public: list[str],
    plug_ins: list[str],
    plug_in_importers: list[str],
) -> list[Crossing]:
    """Every direct import from one container into another that goes past the target's public modules."""
    found: list[Crossing] = []
    for importer in sorted(graph.modules):
        source = container_of(importer, containers)
        if source is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = container_of(imported, containers)
            if target is None or target == source or is_public(imported, target, public):
                continue
            if importer in plug_in_importers and is_public(imported, target, plug_ins):
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            found.append(Crossing(importer, imported, tuple(d["line_number"] for d in details)))
    return found


def names(value: object) -> list[str]:
    """A list option's value (a field on the class, the parsed list on the contract)."""
    assert isinstance(value, list)
    return [str(name) for name in value]


class OnlyThroughContract(Contract):
    """Options: `containers` (the domains), `public_modules` (the names of each one's public modules),
    `plug_in_modules` and `plug_in_importers` (the modules public to those importers only), `ignore_imports`."""

    containers = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    plug_in_modules = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    plug_in_importers = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        ignored: set[ImportExpression] | None = self.ignore_imports  # type: ignore[assignment]
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=sorted(ignored or (), key=str),
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        found = crossings(
            graph,
            containers=names(self.containers),
            public=names(self.public_modules),
            plug_ins=names(self.plug_in_modules),
            plug_in_importers=names(self.plug_in_importers),
        )
        return ContractCheck(
            kept=not found,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"crossings": found},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        found: list[Crossing] = check.metadata["crossings"]
        public = ", ".join(names(self.public_modules))
        output.print_error(f"{len(found)} imports reach past another domain's public modules ({public}):", bold=False)
        output.new_line()
        for crossing in found:
            lines = ", ".join(map(str, crossing.line_numbers))
            output.print_error(f"- {crossing.importer} -> {crossing.imported} (l.{lines})", bold=False)
        output.new_line()
