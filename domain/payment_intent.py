"""Payment intents: a card payment is written down before the terminal is asked.

The intent is committed *pending* before a single byte goes to the terminal, and resolved
afterwards. If the program or the PC dies in between, the next start finds the pending
intent and resolves it from the terminal's record of its last transaction — or, when the
terminal cannot tell, marks it *needs check* for the manager. So a sale is never marked
paid without an approval, and a customer is never charged twice: a pending or unclear
intent blocks another card payment on the same order until it is resolved.

States: pending → approved | declined | aborted | needs_check; needs_check → approved |
not_charged (the manager's decision, with who and why); approved → reversed (a void
through the terminal before the day is closed).
"""

from __future__ import annotations

import enum

from domain.errors import RuleViolation


class IntentKind(enum.StrEnum):
    SALE = "sale"  # charge the card (ZVT authorization)
    REFUND = "refund"  # money back to a card (ZVT refund)
    REVERSAL = "reversal"  # cancel an approved charge of today (ZVT reversal)


class IntentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    ABORTED = "aborted"
    NEEDS_CHECK = "needs_check"
    NOT_CHARGED = "not_charged"
    REVERSED = "reversed"


TRANSITIONS: dict[IntentStatus, frozenset[IntentStatus]] = {
    IntentStatus.PENDING: frozenset(
        {
            IntentStatus.APPROVED,
            IntentStatus.DECLINED,
            IntentStatus.ABORTED,
            IntentStatus.NEEDS_CHECK,
        }
    ),
    IntentStatus.NEEDS_CHECK: frozenset({IntentStatus.APPROVED, IntentStatus.NOT_CHARGED}),
    IntentStatus.APPROVED: frozenset({IntentStatus.REVERSED}),
    IntentStatus.DECLINED: frozenset(),
    IntentStatus.ABORTED: frozenset(),
    IntentStatus.NOT_CHARGED: frozenset(),
    IntentStatus.REVERSED: frozenset(),
}

# Money may have moved (or may still move) while an intent is in one of these.
UNRESOLVED = frozenset({IntentStatus.PENDING, IntentStatus.NEEDS_CHECK})


def check_transition(current: str, target: IntentStatus) -> None:
    status = IntentStatus(current)
    if target not in TRANSITIONS[status]:
        raise RuleViolation(
            f"The card payment is {status.value.replace('_', ' ')}; "
            f"it cannot become {target.value.replace('_', ' ')}."
        )
