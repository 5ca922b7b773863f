"""The one Cyrillic→Latin table, and everyone who spells Cyrillic spelling it the same way."""

from __future__ import annotations

import pytest

from app.documents.transliterate import to_winansi
from devices.printer.transliterate import fallback
from domain.names import latin
from domain.transliteration import CYRILLIC_LATIN, latin_letter, to_latin


@pytest.mark.parametrize(
    ("cyrillic", "expected"),
    [
        ("Пётр Щукин", "Petr Shchukin"),
        ("ЩУКИН", "SHCHUKIN"),
        ("Щука", "Shchuka"),
        ("ЖКХ", "ZHKKH"),  # an abbreviation shouts every letter
        ("Юлия Жукова", "Yuliya Zhukova"),
        ("България", "Balgariya"),  # Bulgarian ъ is a vowel
        ("подъезд", "podezd"),  # the Russian hard sign before a vowel is silent
        ("шофьор", "shofyor"),
        ("Київ, Ґанок", "Kiyiv, Ganok"),
        ("Ђорђевић Џеј", "Djordjevic Dzej"),
        ("№ 5, ул. Шипка", "№ 5, ul. Shipka"),  # not Cyrillic letters: unchanged
    ],
)
def test_to_latin(cyrillic: str, expected: str) -> None:
    assert to_latin(cyrillic) == expected


def test_latin_letter_is_none_for_anything_else() -> None:
    assert latin_letter("Ab1 €", 0) is None
    assert latin_letter("Ab1 €", 4) is None
    assert latin_letter("ё", 0) == "e"


@pytest.mark.parametrize("letter", sorted(set(CYRILLIC_LATIN) - {"ъ", "ь"}))
def test_receipts_invoices_and_search_spell_each_letter_from_the_table(letter: str) -> None:
    spelled = CYRILLIC_LATIN[letter]
    # the receipt printer without a Cyrillic code page
    assert fallback(letter, 0) == spelled
    assert fallback(letter.upper() + "a", 0) == spelled.capitalize()
    # the invoice PDF without its Cyrillic font
    assert to_winansi(letter) == spelled
    assert to_winansi(letter.upper()) == spelled.capitalize()
    # the customer search key
    assert latin(letter) == spelled


def test_the_signs_are_silent_in_search_keys_and_read_in_context_on_paper() -> None:
    assert latin("Подъезд Большой") == "podezd bolshoy"
    assert fallback("България", 1) == to_latin("България")[1] == "a"
    assert fallback("подъезд", 3) == ""
