"""Every sentence in every language; no sentence outside the catalogs."""

import re
from pathlib import Path

import pytest
import yaml

from bot.replies import STRUCTURED_KEYS
from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.i18n import keys, read_catalog, t

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_key_exists_in_every_language() -> None:
    all_keys = set().union(*(keys(lang) for lang in SUPPORTED_LANGUAGES))
    missing = {lang: sorted(all_keys - keys(lang)) for lang in SUPPORTED_LANGUAGES}
    assert all(not m for m in missing.values()), f"untranslated keys: {missing}"


def test_placeholders_agree_across_languages() -> None:
    def placeholders(lang: str) -> dict[str, set[str]]:
        out = {}
        for message in read_catalog(lang):
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out[key] = {name for s in strings for name in PLACEHOLDER.findall(s)}
        return out

    reference = placeholders("en")
    for lang in SUPPORTED_LANGUAGES:
        assert placeholders(lang) == reference, lang


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "человек."), (2, "человека."), (4, "человека."), (5, "человек."), (11, "человек."),
     (21, "человек."), (22, "человека."), (112, "человек.")],
)
def test_russian_has_three_plural_forms(n: int, expected: str) -> None:
    assert t("handoff_queue", "ru", n=n).endswith(f"{n} {expected}")


def test_english_plural() -> None:
    assert t("handoff_queue", "en", n=1).startswith("There is 1 person")
    assert t("handoff_queue", "en", n=3).startswith("There are 3 people")


def _domain_keys() -> set[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    found = set()
    for variations in domain["responses"].values():
        for variation in variations:
            assert set(variation) == {"custom"}, "responses are catalog keys, never text"
            found.add(variation["custom"]["key"])
            found.update(b["key"] for b in variation["custom"].get("buttons", []))
    return found


def _code_keys() -> set[str]:
    found = set()
    patterns = [
        re.compile(r"""\bsay\(\s*dispatcher,\s*"(\w+)\""""),
        re.compile(r"""\b(?:simple|t)\(\s*"(\w+)\""""),
        re.compile(r"""\{"key":\s*"(\w+)\""""),
    ]
    for folder in ("bot", "actions"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            source = path.read_text()
            for pattern in patterns:
                found.update(pattern.findall(source))
    return found


def test_every_key_used_by_domain_and_code_is_in_the_catalogs() -> None:
    # Structured messages are rendered from catalog parts (bot.replies), not one key.
    used = (_domain_keys() | _code_keys()) - STRUCTURED_KEYS
    assert len(used) > 15
    assert used <= keys("en"), sorted(used - keys("en"))


def test_no_sentences_hard_coded_in_python() -> None:
    """Long natural-language string literals belong in the catalogs."""
    sentence = re.compile(r"""["']([A-Z][a-z]+(?: [a-z']+){4,}[.!?])["']""")
    offenders = []
    for folder in ("bot", "actions"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path == PROJECT_ROOT / "bot" / "console" / "text.py":
                continue  # the staff console's own catalog (ko and en), not residents' text
            for line in Path(path).read_text().splitlines():
                stripped = line.strip()
                # API documentation (OpenAPI descriptions) is for developers, in English.
                if stripped.startswith(("#", '"""', "help=", "description=")) or "print(" in line or \
                        "description=" in line:
                    continue
                if "log." in line or "raise " in line or "parser" in line:
                    continue
                # The console's own words (ko and en, for staff and admins), kept beside their page.
                if "console" in path.parts and ('"ko":' in line or '"en":' in line):
                    continue
                if sentence.search(line):
                    offenders.append(f"{path.name}: {stripped}")
    assert not offenders, offenders


def test_button_labels_fit_a_kakao_quick_reply() -> None:
    for lang in SUPPORTED_LANGUAGES:
        for key in keys(lang):
            if key.startswith(("button_", "topic_", "language_name")):
                assert len(t(key, lang)) <= 14, (lang, key, t(key, lang))
