"""Which language a reader gets from an Accept-Language header: its languages by quality (then as written), those
refused with q=0 and the wildcard left out, negotiated over the brief's languages (en, zh, ru)."""

from __future__ import annotations

import pytest

from tradewind.wording import accepted_languages, negotiated_locale


@pytest.mark.parametrize(
    ("header", "languages", "locale"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", ["ru-RU", "ru", "en"], "ru"),
        ("fr, en;q=0.2, ru;q=0.5", ["fr", "ru", "en"], "ru"),  # by quality, not by order
        ("en;q=0.5, zh;q=0.5", ["en", "zh"], "en"),  # equal quality: as written
        ("ru;q=0, zh-CN", ["zh-CN"], "zh"),  # q=0 refuses
        ("fr-FR,fr;q=0.9", ["fr-FR", "fr"], None),
        ("*", [], None),
        ("de;q=abc, RU ;q=1", ["RU"], "ru"),  # an unreadable quality drops its entry; case does not matter
        ("zh_Hans_CN", ["zh_Hans_CN"], "zh"),
        ("", [], None),
    ],
)
def test_the_header_is_read_by_quality_and_negotiated(header: str, languages: list[str], locale: str | None) -> None:
    assert accepted_languages(header) == languages
    assert negotiated_locale(languages) == locale


def test_a_very_long_header_is_read_only_so_far() -> None:
    assert accepted_languages(",".join(["fr"] * 50 + ["ru"])) == ["fr"] * 20
