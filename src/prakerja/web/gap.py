"""The director's sentence on the dashboard, in the page's language.

Built from the gap report the latest reconciliation recorded: how many
completed their first training, how many of them were paid, and what the
difference consists of, stage by stage.
"""

from __future__ import annotations

from typing import Any

from babel.support import Translations

from prakerja.kit.money import format_rupiah

#: What each unpaid stage's participants are doing (gettext message ids).
_STAGE_WORDS = {
    "HELD_INELIGIBLE": "%(count)s held by a barring list",
    "IN_FLIGHT": "%(count)s in flight with a payment partner",
    "FAILED_AWAITING_ACCOUNT": "%(count)s failed and waiting for a new account",
    "AWAITING_REVIEW": "%(count)s waiting for their review of the training",
    "NO_ACCOUNT": "%(count)s without a payout account",
    "DUE_NOT_INSTRUCTED": "%(count)s due but not yet instructed",
}


def _number(value: int, locale: str) -> str:
    """Write a count with the locale's thousands separator (a dot in Indonesian)."""
    written = f"{value:,}"
    return written.replace(",", ".") if locale == "id" else written


def gap_sentence(day: Any, gap: list[dict[str, Any]], catalog: Translations, locale: str) -> str:
    """Return the gap sentence for the recorded gap rows, in the catalog's language."""
    by_stage = {row["stage"]: row for row in gap}
    completed = sum(int(row["participants"]) for row in gap)
    paid = by_stage.get("PAID", {"participants": 0, "amount_idr": 0})
    unpaid = [row for row in gap if row["stage"] != "PAID" and row["participants"]]
    head = catalog.ngettext(
        "As of %(day)s, %(completed)s participant completed their first training",
        "As of %(day)s, %(completed)s participants completed their first training",
        completed,
    ) % {"day": day, "completed": _number(completed, locale)}
    head += catalog.ngettext(
        " and %(paid)s of them was paid the first incentive (%(amount)s)",
        " and %(paid)s of them were paid the first incentive (%(amount)s)",
        int(paid["participants"]),
    ) % {
        "paid": _number(int(paid["participants"]), locale),
        "amount": format_rupiah(int(paid["amount_idr"])),
    }
    if not unpaid:
        return head + catalog.gettext("; nobody is waiting.")
    parts = [
        catalog.gettext(_STAGE_WORDS[row["stage"]])
        % {"count": _number(int(row["participants"]), locale)}
        for row in unpaid
    ]
    joined = (
        parts[0]
        if len(parts) == 1
        else ", ".join(parts[:-1]) + catalog.gettext(" and ") + parts[-1]
    )
    waiting = sum(int(row["participants"]) for row in unpaid)
    owed = sum(int(row["amount_idr"]) for row in unpaid)
    return (
        head
        + catalog.gettext("; the difference of %(waiting)s (%(owed)s) is ")
        % {"waiting": _number(waiting, locale), "owed": format_rupiah(owed)}
        + joined
        + "."
    )
