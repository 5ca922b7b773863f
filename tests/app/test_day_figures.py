"""The day's figures behind the Reports screen and the day report, and the till's public
look-ups of any session (by number, by the day it closed)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from app.services.returns import ReturnItem
from domain.calendar import local_day_bounds
from domain.errors import RuleViolation
from domain.money import Money, sum_money
from domain.returns import Condition

EXACT_FLOAT = {"20": "5", "10": "5", "5": "6", "2": "5", "1": "10"}  # the demo's 200.00


def _sell(services: Services, user: UserInfo, *codes: str, given: str = "500") -> str:
    basket = services.sales.start(customer_id=services.customers.search("C00000002")[0].id,
                                  user=user)  # fmt: skip
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=user)
    return services.sales.pay_cash(basket.order_id, given, user=user).receipt_number


def _today() -> date:
    return datetime.now().astimezone().date()


def test_sales_by_category_add_up_to_the_revenue(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    _sell(demo_services, anna, "PLAN-PRE", demo_iccid(1, 1), "ACC-CHG")
    receipt = _sell(demo_services, maria, "ACC-CASE", "ACC-CASE")
    day = demo_services.reports.day_summary(_today())
    assert day.orders == 2 and day.returns == 0 and day.refunded is None
    by_category = {name: (items, amount) for name, items, amount in day.by_category}
    assert set(by_category) == {"Plans", "SIM cards", "Accessories"}
    assert by_category["Accessories"][0] == 3
    assert sum_money([a for _n, _i, a in day.by_category], "EUR") == day.revenue
    assert [a for _n, _i, a in day.by_category] == sorted(
        (a for _n, _i, a in day.by_category), reverse=True
    )  # the biggest first, as the chart shows them
    # A return is counted on the day it was made, and the refund with it.
    sold = demo_services.returns.find(receipt)
    case = sold.lines[0]
    demo_services.returns.create_return(
        sold.order_id, [ReturnItem(case.line_id, 1, Condition.UNOPENED)], reason="duplicate",
        user=maria,
    )  # fmt: skip
    after = demo_services.reports.day_summary(_today())
    assert after.returns == 1 and after.refunded == Money.of(case.paid.amount / case.sold)
    assert after.revenue == day.revenue  # the sale stays a sale; the refund is shown beside it
    yesterday = demo_services.reports.day_summary(_today() - timedelta(days=1))
    assert (yesterday.orders, yesterday.by_category, yesterday.refunded) == (0, (), None)


def test_any_session_by_number_and_the_sessions_closed_on_a_day(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    till = demo_services.till
    _sell(demo_services, anna, "ACC-CHG", given="24.99")
    open_report = till.x_report()
    assert till.report_of(f"  {open_report.number} ") == open_report
    assert till.closed_on(_today()) == []
    counts = EXACT_FLOAT | {"20": "6", "2": "7", "0.50": "1", "0.20": "2", "0.05": "1", "0.02": "2"}
    closed = till.close(counts, user=maria).report
    assert closed.variance is not None and closed.variance.is_zero()
    till.open(EXACT_FLOAT, user=maria)  # the next session is open and not in the day's Z
    assert till.closed_on(_today()) == [closed]
    assert till.report_of(closed.number) == closed
    assert till.report_of(closed.number).status == "closed"
    assert till.closed_on(_today() - timedelta(days=1)) == []
    with pytest.raises(RuleViolation, match="no till session 'TIL-NONE'"):
        till.report_of("TIL-NONE")
    assert closed.expected.cash == Money.of("224.99")


@pytest.fixture
def berlin() -> Iterator[None]:
    if not hasattr(time, "tzset"):
        pytest.skip("time zones cannot be switched on this platform")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_local_day_is_its_own_length_across_clock_changes(berlin: None) -> None:
    start, end = local_day_bounds(date(2024, 3, 31))  # clocks go forward at 02:00
    assert start == datetime(2024, 3, 30, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(date(2024, 10, 27))  # and back at 03:00
    assert start == datetime(2024, 10, 26, 22, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=25)
    start, end = local_day_bounds(date(2024, 6, 1))
    assert (start.hour, end - start) == (22, timedelta(hours=24))
