from __future__ import annotations

from app.bootstrap import Services
from app.demo.seed import demo_iccid


def test_search_by_name_prefix_ignores_case_and_accents(demo_services: Services) -> None:
    everyone = demo_services.customers.search("C000000", limit=50)
    assert everyone == []  # customer numbers match exactly, not by prefix
    first = demo_services.customers.profile(demo_services.customers.search("C00000001")[0].id)
    last_name = first.summary.name.split()[-1]
    results = demo_services.customers.search(last_name[:3].upper())
    assert any(r.id == first.summary.id for r in results)
    assert all(r.matched_on == "name" for r in results)
    assert all(r.name.split()[-1].lower().startswith(last_name[:3].lower()) for r in results)


def test_search_by_phone_customer_number_document_and_iccid(demo_services: Services) -> None:
    search = demo_services.customers.search
    assert search("+49 151 00000002")[0].customer_no == "C00000002"
    assert search("c00000003")[0].matched_on == "customer number"
    assert search("L00000004")[0].customer_no == "C00000004"
    assert search(demo_iccid(900, 5))[0].customer_no == "C00000005"


def test_too_short_or_unknown_queries_return_nothing(demo_services: Services) -> None:
    assert demo_services.customers.search("a") == []
    assert demo_services.customers.search("zzzzzz") == []
    assert demo_services.customers.search("'; DROP TABLE customers; --") == []


def test_profile_has_subscriptions_and_timeline(demo_services: Services) -> None:
    hit = demo_services.customers.search("C00000001")[0]
    profile = demo_services.customers.profile(hit.id)
    assert profile.subscriptions[0].msisdn == "+4915100000001"
    assert profile.timeline and profile.timeline == tuple(
        sorted(profile.timeline, key=lambda e: e.occurred_at, reverse=True)
    )
