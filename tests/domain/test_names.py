"""Name search keys: transliteration, spelling-blind skeletons, bounded edit distance."""

from __future__ import annotations

import itertools
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.names import is_plausible_name, latin, skeleton, within_edits

CYRILLIC = "абвгґдеёєжзиіїйклмнопрстуўфхцчшщъыьэюя"
# Letters the skeleton rules are written for.
NAME_LETTERS = string.ascii_lowercase + CYRILLIC
VOWELS = "aeiouy"
# What a skeleton may add to its input's Latin form (see the rules in domain.names).
SKELETON_SYMBOLS = set("SCZhfksvia")

name_text = st.text(NAME_LETTERS + NAME_LETTERS.upper() + " ", max_size=30)


# --- one person, many spellings -----------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("Aleksandr", "Alexander", "Александр", "Oleksandr", "Олександр"),
        ("Shevchenko", "Schewtschenko", "Ševčenko", "Шевченко"),
        ("Yulia", "Julija", "Iuliia", "Юлия"),
        ("Müller", "Mueller", "Muller", "MÜLLER"),
        ("Solovyova", "Соловьёва", "Соловьева"),
        ("Yekaterina", "Ekaterina", "Екатерина", "Jekaterina"),
        ("Shchukin", "Щукин"),
        ("Zhukov", "Жуков", "Žukov"),
        ("Khrushchev", "Хрущёв"),
        ("Gorbachev", "Горбачёв", "Gorbatschow"),
        ("Tchaikovsky", "Чайковский", "Tschaikowski"),
        ("Natalia", "Наталья", "Natalya", "Natalja"),
        ("Dmitry", "Dmitri", "Дмитрий", "Dmitrij"),
        ("Maxim", "Maksim", "Максим"),
        ("Philipp", "Filip"),
        ("Anna", "Ana", "Анна"),
        ("Tsvetkova", "Цветкова"),
    ],
)
def test_spellings_of_one_name_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    assert len({skeleton(name) for name in spellings}) == 1, {s: skeleton(s) for s in spellings}


@pytest.mark.parametrize(
    "spellings", [("Kuznetsova", "Kusnezowa", "Кузнецова"), ("Zaitsev", "Saizew", "Зайцев")]
)
def test_the_documented_z_and_s_examples_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    assert len({skeleton(name) for name in spellings}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ivanova", "Petrova"),
        ("Sidorov", "Smirnov"),
        ("Schmidt", "Smirnov"),
        ("Kovalenko", "Bondarenko"),
        ("Olga", "Elena"),
        ("Shevchenko", "Savchenko"),
        ("Zhukov", "Sukov"),
        ("Maria", "Marta"),
    ],
)
def test_different_names_keep_different_skeletons(one: str, other: str) -> None:
    assert skeleton(one) != skeleton(other)


def test_each_word_keeps_its_place() -> None:
    assert skeleton("Anna Shevchenko") == f"{skeleton('Anna')} {skeleton('Shevchenko')}"
    assert skeleton("Shevchenko Anna") == f"{skeleton('Shevchenko')} {skeleton('Anna')}"
    assert skeleton("  Юлия \t  Шевченко\n") == skeleton("Yulia Schewtschenko")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Aleksandr", "alksndr"),
        ("Shevchenko", "SvCnk"),
        ("Zhukov", "Zkv"),
        ("Khan", "hn"),
        ("Anna", "an"),
        ("Ekaterina", "aktrn"),
        ("Yulia", "al"),
        ("Cyril", "srl"),  # "c" before e/i/y is the Cyrillic "ц", a sibilant like s
        ("Carl", "krl"),  # elsewhere it is "k"
        ("Mac", "mk"),
        ("Kirill", "krl"),
        ("Tsoi", "s"),  # ts, tz, z and a soft c are one sibilant
        ("Zoi", "s"),
        ("Kuznetsova", "ksnsv"),
        ("Maxim", "mksm"),
        ("Quentin", "kntn"),
        ("Dickens", "dkns"),
    ],
)
def test_skeleton_rules(text: str, key: str) -> None:
    assert skeleton(text) == key


def test_empty_and_punctuation_only_text_has_an_empty_skeleton() -> None:
    assert skeleton("") == ""
    assert skeleton("   ") == ""
    assert skeleton("- ' .") == ""


def test_other_scripts_are_kept_as_they_are() -> None:
    assert skeleton("王 芳") == "王 芳"
    assert skeleton("Ελένη") == "ελενη"  # not transliterated, only lower-cased and unaccented


def test_x_then_s_collapses_like_any_doubled_letter() -> None:
    assert skeleton("Alexsandr") == skeleton("Aleksandr")


def test_decomposed_text_has_the_same_skeleton_as_composed_text() -> None:
    composed = "Ševčenko"
    assert skeleton(unicodedata.normalize("NFD", composed)) == skeleton(composed)


# --- latin --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Щукин", "shchukin"),
        ("Ёлкин", "elkin"),
        ("Хрущёв", "khrushchev"),
        ("Цой", "tsoy"),
        ("Їжак Ґава Євген", "yizhak gava yevgen"),
        ("Ўладзімір", "uladzimir"),
        ("Подъячев Ильич", "podyachev ilich"),
        ("Ševčenko", "shevchenko"),  # caron letters are read before accents are dropped
        ("Łukasz Øster Straße Æsir Œuvre", "lukasz oster strasse aesir oeuvre"),
        ("Zoë Núñez", "zoe nunez"),
        ("  MÜLLER \t Jürgen ", "muller jurgen"),
        ("", ""),
    ],
)
def test_latin_transliterates_and_drops_accents(text: str, expected: str) -> None:
    assert latin(text) == expected


@pytest.mark.parametrize("text", ["№ 5", "𝐀nna"])
def test_latin_is_lower_case_for_compatibility_characters(text: str) -> None:
    assert latin(text) == latin(text).lower()


@given(name_text)
def test_latin_of_name_letters_is_lower_case_ascii(text: str) -> None:
    result = latin(text)
    assert result == result.lower()
    assert all(ch in string.ascii_lowercase + " " for ch in result)


# --- skeleton properties ------------------------------------------------------------------


@given(st.text())
def test_skeleton_and_latin_never_fail_and_are_single_spaced(text: str) -> None:
    key = skeleton(text)
    assert isinstance(latin(text), str)
    assert key == " ".join(key.split())


@given(st.text())
def test_skeleton_only_adds_its_own_symbols_to_the_latin_form(text: str) -> None:
    assert set(skeleton(text)) - {" "} <= set(latin(text)) | SKELETON_SYMBOLS


@given(st.text(), st.text())
def test_skeleton_is_word_by_word(first: str, second: str) -> None:
    assert skeleton(f"{first} {second}") == " ".join(
        filter(None, (skeleton(first), skeleton(second)))
    )


@given(name_text)
def test_skeleton_ignores_letter_case(text: str) -> None:
    assert skeleton(text.upper()) == skeleton(text.lower()) == skeleton(text)


@given(name_text)
def test_only_a_leading_vowel_survives_and_it_is_a(text: str) -> None:
    for word in skeleton(text).split():
        assert word[0] not in "eiouy"
        assert not set(word[1:]) & set(VOWELS)


@given(name_text)
def test_no_letter_is_doubled(text: str) -> None:
    for word in skeleton(text).split():
        assert all(left != right for left, right in itertools.pairwise(word))


@given(name_text)
def test_one_word_of_name_letters_gives_one_word_of_skeleton_at_most(text: str) -> None:
    assert len(skeleton(text).split()) <= len(text.split())


# --- within_edits -------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """The textbook full-table edit distance (insert, delete, change each cost 1)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
    return table[len(a)][len(b)]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("ivanova", "ivanovа", 1),  # the last "а" is Cyrillic
        ("alksndr", "alksdr", 1),
        ("abc", "cab", 2),
    ],
)
def test_reference_distance(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
    assert within_edits(a, b, distance)
    assert not within_edits(a, b, distance - 1)


@given(st.text("abc", max_size=10), st.text("abc", max_size=10), st.integers(0, 3))
def test_within_edits_agrees_with_levenshtein_on_near_strings(a: str, b: str, limit: int) -> None:
    assert within_edits(a, b, limit) == (levenshtein(a, b) <= limit)


@given(st.text(max_size=12), st.text(max_size=12), st.integers(0, 3))
def test_within_edits_agrees_with_levenshtein_on_any_text(a: str, b: str, limit: int) -> None:
    assert within_edits(a, b, limit) == (levenshtein(a, b) <= limit)


@given(st.text("ab", max_size=8), st.data())
def test_within_edits_finds_a_few_random_edits(a: str, data: st.DataObject) -> None:
    b = a
    for _ in range(data.draw(st.integers(0, 3), label="edits")):
        position = data.draw(st.integers(0, len(b)), label="position")
        kind = data.draw(st.sampled_from(["insert", "delete", "change"]), label="kind")
        if kind == "insert":
            b = b[:position] + "z" + b[position:]
        elif position < len(b):
            b = b[:position] + ("" if kind == "delete" else "z") + b[position + 1 :]
    limit = data.draw(st.integers(0, 3), label="limit")
    assert within_edits(a, b, limit) == (levenshtein(a, b) <= limit)
    assert within_edits(a, b, 3)


@given(st.text(max_size=10), st.text(max_size=10), st.integers(0, 3))
def test_within_edits_is_symmetric(a: str, b: str, limit: int) -> None:
    assert within_edits(a, b, limit) == within_edits(b, a, limit)


@given(st.text(max_size=20))
def test_a_text_is_within_zero_edits_of_itself(text: str) -> None:
    assert within_edits(text, text, 0)


# --- is_plausible_name --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Anna", "Zoë", "Zoe\u0308", "O'Brien", "O’Brien", "Jean-Luc", "Ёлкин", "Łukasz",
     "J. R. R.", "王芳", "Νίκος", "محمد"],
)  # fmt: skip
def test_plausible_names(text: str) -> None:
    assert is_plausible_name(text)


@pytest.mark.parametrize(
    "text",
    ["", " ", "-", "'.", "R2-D2", "Anna1", "Robert'); DROP TABLE customers;--", "😀",
     "Anna 😀", "a_b", "a@b", "Anna\tMaria"],
)  # fmt: skip
def test_implausible_names(text: str) -> None:
    assert not is_plausible_name(text)


@pytest.mark.parametrize("text", ["प्रियंका", "தமிழ்செல்வி"])
def test_names_in_indic_scripts_are_plausible(text: str) -> None:
    assert is_plausible_name(text)


@given(st.text())
def test_a_plausible_name_has_a_letter_and_no_digit(text: str) -> None:
    if is_plausible_name(text):
        assert any(ch.isalpha() for ch in text)
        assert not any(ch.isdigit() for ch in text)
