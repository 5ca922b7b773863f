"""Customer search on the FTS5 index, over the demo store and over customers made here."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from app.services import customer_index


def _first(services: Services, text: str) -> str:
    hits = services.customers.search(text)
    assert hits, f"nothing found for {text!r}"
    return hits[0].customer_no


def test_identifiers_typed_in_any_form_find_the_owner_first(demo_services: Services) -> None:
    assert _first(demo_services, "C00000003") == "C00000003"
    assert _first(demo_services, "c00000003") == "C00000003"
    assert _first(demo_services, "+49 151 00000002") == "C00000002"
    assert _first(demo_services, "0049 151 0000 0002") == "C00000002"
    assert _first(demo_services, "0151 00000002") == "C00000002"  # national, store region DE
    assert _first(demo_services, "l00000004") == "C00000004"
    assert _first(demo_services, demo_iccid(900, 5)) == "C00000005"
    hit = demo_services.customers.search(demo_iccid(900, 5))[0]
    assert hit.exact and hit.matched_on == "SIM (ICCID)"


def test_identifier_prefix_lists_candidates_after_exact_ones(demo_services: Services) -> None:
    hits = demo_services.customers.search("C0000001")
    numbers = [h.customer_no for h in hits]
    assert numbers == [f"C000000{n}" for n in range(10, 20)]
    assert not any(h.exact for h in hits)
    hits = demo_services.customers.search("4915100000012")
    assert hits[0].exact and hits[0].customer_no == "C00000012"


def test_names_any_order_prefix_and_case(demo_services: Services) -> None:
    first = demo_services.customers.profile(demo_services.customers.search("C00000001")[0].id)
    given, family = first.name.split()[0], first.name.split()[-1]
    for query in (
        f"{given} {family}",
        f"{family} {given}",
        f"{family[:3].upper()} {given[:2]}",
    ):
        hits = demo_services.customers.search(query, limit=50)
        assert first.id in {h.id for h in hits}, query
        assert all(h.matched_on.startswith("name") for h in hits)


def test_whole_name_matches_rank_before_prefixes(services: Services) -> None:
    a = _onboard(services, "Anna", "Petrov", "+49 151 11111111")
    b = _onboard(services, "Anna", "Petrovsky", "+49 151 22222222")
    hits = services.customers.search("anna petrov")
    assert [h.id for h in hits[:2]] == [a, b]


def test_spelling_variants_and_scripts_find_each_other(services: Services) -> None:
    cyrillic = _onboard(services, "Александр", "Шевченко", "+49 151 33333333")
    latin = _onboard(services, "Aleksandr", "Schewtschenko", "+49 151 44444444")
    for query in ("Alexander Shevchenko", "Шевченко", "shevch", "Ševčenko", "aleksandr"):
        found = {h.id for h in services.customers.search(query)}
        assert {cyrillic, latin} <= found, query


def test_one_typing_slip_still_finds_the_name(services: Services) -> None:
    who = _onboard(services, "Maria", "Kowalczyk", "+49 151 55555555")
    hits = services.customers.search("Kowalcyzk")  # two letters swapped
    hits += services.customers.search("Kovalczik")
    assert who in {h.id for h in hits}
    assert services.customers.search("Zzyzzyva") == []


def test_too_short_unknown_and_hostile_queries(demo_services: Services) -> None:
    search = demo_services.customers.search
    assert search("a") == []
    assert search("   ") == []
    assert search("zzzzzz") == []
    assert search("'; DROP TABLE customers; --") == []
    assert search('"unterminated') == []
    assert search("NEAR(a b) OR * AND") == []
    assert search("x" * 10_000) == []
    assert search("C00000001")  # still there


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            string.ascii_letters + string.digits + string.punctuation + " ÄöüßЁёЖжŁł\"'*()"
        ),
        max_size=60,
    )
    | st.text(max_size=60)
)
def test_search_never_fails_on_any_text(demo_services: Services, text: str) -> None:
    hits = demo_services.customers.search(text)
    assert len(hits) <= 20


def test_index_follows_edits_in_the_same_transaction(services: Services) -> None:
    who = _onboard(services, "Lena", "Vogel", "+49 151 66666666")
    user = services.auth.login("anna", "1111")
    services.customers.change_contact(
        who, field="phone", value="0151 77777777", reason="new number", user=user
    )
    assert _ids(services, "+4915177777777") == {who}
    assert who not in _ids(services, "+4915166666666")


def test_rebuild_gives_the_same_answers(demo_services: Services) -> None:
    before = [h.id for h in demo_services.customers.search("ivan")]
    with demo_services.engine.begin() as conn:
        count = customer_index.rebuild_all(conn)
    assert count == 40
    assert [h.id for h in demo_services.customers.search("ivan")] == before


def _ids(services: Services, text: str) -> set[object]:
    return {h.id for h in services.customers.search(text)}


def _onboard(services: Services, first: str, last: str, phone: str) -> object:
    from customer_drafts import draft, staff

    services.demo.ensure(customers=0)
    return services.onboarding.create(
        draft(services, first=first, last=last, phone=phone),
        user=staff(services),
        accept_duplicates=True,
    )
