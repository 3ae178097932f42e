"""The table of the actions' figures (tradewind.brief.figures): every figure and step field the demo brief produces
has a label and a unit, the labels are translated in the zh and ru "figures" catalogs, and a value reads as its
unit says."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tests.catalogs import compiled_entries, extract, translation_problems
from tests.fresh import run_fresh
from tradewind.brief.figures import (
    FIGURES,
    STEPS,
    figure_name_in,
    figure_of,
    figure_text,
    read_figure,
    step_name_in,
    yes_no_in,
)
from tradewind.wording import FIGURES_DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
DEMO_BRIEF = ROOT / "tests" / "demo" / "golden" / "demo_brief.json"
TABLE = ROOT / "src" / "tradewind" / "brief" / "figures.py"


def demo_actions() -> list[dict[str, object]]:
    actions: list[dict[str, object]] = json.loads(DEMO_BRIEF.read_text())["actions"]
    return actions


def test_every_figure_of_the_demo_brief_has_a_label_and_a_unit() -> None:
    actions = demo_actions()
    names = {(str(a["kind"]), name) for a in actions for name in a["figures"]}  # type: ignore[attr-defined]
    assert len({name for _, name in names}) >= 131
    unknown = sorted(f"{kind}.{name}" for kind, name in names if figure_of(name, kind) is None)
    assert unknown == [], f"add these figures to tradewind.brief.figures.FIGURES: {unknown}"


def test_every_field_of_the_demo_brief_steps_has_a_label_and_a_unit() -> None:
    # Message drafts are shown by their own form (recipient, subject, body), not field by field.
    fields = {
        name
        for a in demo_actions()
        for step in a["steps"]  # type: ignore[attr-defined]
        if step["type"] != "message"
        for name in step
        if name != "type"
    }
    assert {"lines", "expected_on", "until", "tracking_number"} <= fields
    assert sorted(name for name in fields if figure_of(name) is None) == []
    kinds = {step["type"] for a in demo_actions() for step in a["steps"]} - {"message"}  # type: ignore[attr-defined]
    assert "purchase_order" in kinds and sorted(kinds - STEPS.keys()) == []
    assert [step_name_in("purchase_order", lang) for lang in ("en", "zh", "ru")] == [
        "Purchase order",
        "采购单",
        "Заказ поставщику",
    ]


def test_a_kind_may_mean_something_else_by_a_name() -> None:
    assert figure_name_in("method", "en", "stalled_tracking") == "Shipping method"
    assert figure_name_in("method", "en", "overstock") == "Forecast method"
    assert figure_name_in("method", "ru", "overstock") == "Метод прогноза"
    assert figure_name_in("not_a_figure", "ru") == "not a figure"


def test_labels_and_yes_no_in_each_language() -> None:
    labels = [figure_name_in("total_cost", lang) for lang in ("en", "zh", "ru")]
    assert labels == ["Total cost", "总成本", "Общая стоимость"]
    assert [yes_no_in(True, lang) for lang in ("en", "zh", "ru")] == ["yes", "是", "да"]
    assert yes_no_in(False, "ru") == "нет"


def test_money_takes_its_currency_from_the_figure_the_table_names_else_the_shops() -> None:
    restock = {"total_cost": "29601.0000", "cost_currency": "CNY"}
    found = read_figure(FIGURES["total_cost"], restock["total_cost"], restock, "USD")
    assert (found.unit, found.value, found.currency) == ("money", Decimal("29601.0000"), "CNY")
    penalty = read_figure(FIGURES["penalty"], "2616.50", {}, "EUR")
    assert (penalty.value, penalty.currency) == (Decimal("2616.50"), "EUR")
    order = read_figure(FIGURES["order_total"], "38.8900", {"currency": "USD"}, "EUR")
    assert order.currency == "USD"


def test_each_unit_reads_its_value() -> None:
    assert read_figure(FIGURES["depth"], 0.1175, {}, "USD").value == Decimal("0.1175")
    assert read_figure(FIGURES["expected_on"], "2025-03-11", {}, "USD").value == date(2025, 3, 11)
    moment = read_figure(FIGURES["unanswered_since"], "2025-02-13T03:00:00+00:00", {}, "USD").value
    assert moment == datetime(2025, 2, 13, 3, tzinfo=UTC)
    assert read_figure(FIGURES["carried_by_fixes"], True, {}, "USD").value is True
    assert read_figure(FIGURES["closure_until"], None, {}, "USD").value is None
    # An order number stays text (no digit grouping), and a step's "until" may be a sentence.
    assert read_figure(FIGURES["order"], "8012000006289646", {}, "USD").value == "8012000006289646"
    sentence = read_figure(FIGURES["until"], "the route reopens, or refund if the buyer asks", {}, "USD")
    assert sentence.unit == "text"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    out = tmp_path_factory.mktemp("pot") / "figures.pot"
    return extract(["--no-default-keywords", "-k", "figure", "-k", "word", str(TABLE)], out)


def test_the_table_gives_the_catalog_its_msgids(template: Catalog) -> None:
    ids = {m.id for m in template if m.id}
    assert {f.label for f in FIGURES.values()} | {"yes", "no"} <= ids
    assert "Total cost" in ids and len(ids) > 131


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_every_label_is_translated(template: Catalog, language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{FIGURES_DOMAIN}.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    problems = translation_problems(template, catalog)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_the_compiled_figures_catalogs_are_up_to_date(tmp_path: Path, language: str) -> None:
    source = LOCALE_DIR / language / "LC_MESSAGES"
    found, wanted = compiled_entries(source / "figures.po", source / "figures.mo", language, tmp_path)
    assert found == wanted, "run: make figure-labels"


def test_the_command_lines_text_of_a_share_an_instant_and_yes_no() -> None:
    zone = ZoneInfo("Asia/Shanghai")

    def text(name: str, value: object, locale: str) -> str:
        return figure_text(name, value, {}, locale=locale, shop_currency="USD", zone=zone, kind="metric_risk")

    assert [text("value", 0.0447, lang) for lang in ("en", "zh", "ru")] == ["4.47%", "4.47%", "4,47\xa0%"]
    # 03:00 UTC is 11:00 in Shanghai.
    assert text("unanswered_since", "2025-02-13T03:00:00+00:00", "ru") == "13.02.2025, 11:00"
    assert text("carried_by_fixes", True, "zh") == "是" and text("closure_until", None, "ru") == "—"
    assert text("penalty", "2616.50", "en") == "USD 2,616.50"


def test_codes_with_names_read_in_the_readers_language() -> None:
    """A notify_delay's group, a held-back draft's situation, a disruption's kind and an overstock's forecast method
    were printed as codes ("flights_cut") in every language; they are named with the phrases the reasons use."""
    from tradewind.brief.figures import FIGURES, KIND_FIGURES, code_name_in

    group, situation, kind = FIGURES["group"], FIGURES["situation"], FIGURES["kind"]
    method = KIND_FIGURES[("overstock", "method")]
    assert code_name_in(group, "flights_cut", "en") == "flights cut"
    assert code_name_in(group, "flights_cut", "ru") == "сокращение рейсов"
    assert code_name_in(group, "flights_cut", "zh") == "航班削减"
    assert code_name_in(kind, "import_ban", "zh") == "进口禁令"
    assert code_name_in(method, "smoothed", "ru") == "сглаживание"
    assert code_name_in(situation, "shipping_delay", "en") == "shipping delay"
    assert code_name_in(situation, "shipping_delay", "ru") != "shipping_delay"
    assert code_name_in(group, "something_new", "ru") == "something_new"  # a code without a name stays itself
    assert code_name_in(FIGURES["sku"], "SH-1001-WHT-38", "zh") == "SH-1001-WHT-38"


def test_the_names_of_codes_are_their_owners_tables_read_when_first_needed() -> None:
    """The code-name tables are the owning domains' schemas' (a disruption kind's enum read as its code), loaded when a
    name is first asked for: importing the figures (the dashboard, `action show`) imports no producer, no kernel
    (Numba) and no holiday calendar."""
    from tradewind.brief.figures import FIGURES, KIND_FIGURES
    from tradewind.logistics.schemas import KIND_CODES
    from tradewind.messaging.schemas import REASON_CODES, SITUATION_CODES
    from tradewind.planning.schemas import METHOD_CODES

    assert dict(FIGURES["group"].names or {}) == REASON_CODES
    assert dict(FIGURES["situation"].names or {}) == SITUATION_CODES
    assert dict(FIGURES["kind"].names or {}) == KIND_CODES
    assert dict(KIND_FIGURES[("overstock", "method")].names or {}) == METHOD_CODES
    script = "import json, sys\nimport tradewind.brief.figures\nprint(json.dumps(sorted(sys.modules)))\n"
    done = run_fresh(script, check=True)
    modules = set(json.loads(done.stdout))
    owners = {
        "tradewind.planning.producers",
        "tradewind.logistics.disruptions",
        "tradewind.messaging.delays",
        "tradewind.messaging.voice",
    }
    assert sorted(owners & modules) == []
    assert sorted(m for m in modules if m.split(".")[0] in ("numba", "holidays")) == []
