"""The registry's front door: what other domains and the front doors call.

The work is done in rooms: `waves` (selection), `lifecycle` (cards issued,
revoked, expired), `balances` (spending and refunds), `reads` (exports and
pages) and `facts` (Arrow readers for other domains); statements are in
`repository`.
"""

from __future__ import annotations

from prakerja.registry.balances import move_training_balances
from prakerja.registry.facts import (
    BARRED_CARD_SCHEMA,
    CARD_SCHEME_SCHEMA,
    CARD_STATE_SCHEMA,
    active_cards,
    barred_cards,
    card_holders,
    card_schemes,
    card_states,
    exclusions,
    holders_of_cards,
)
from prakerja.registry.lifecycle import expire_balances, revoke_unused_cards
from prakerja.registry.reads import (
    CardRow,
    SelectionRow,
    WaveOverview,
    card_rows,
    selection_rows,
    wave_overviews,
)
from prakerja.registry.waves import SelectionSummary, get_wave, select_wave

__all__ = [
    "BARRED_CARD_SCHEMA",
    "CARD_SCHEME_SCHEMA",
    "CARD_STATE_SCHEMA",
    "CardRow",
    "SelectionRow",
    "SelectionSummary",
    "WaveOverview",
    "active_cards",
    "barred_cards",
    "card_holders",
    "card_rows",
    "card_schemes",
    "card_states",
    "exclusions",
    "expire_balances",
    "get_wave",
    "holders_of_cards",
    "move_training_balances",
    "revoke_unused_cards",
    "select_wave",
    "selection_rows",
    "wave_overviews",
]
