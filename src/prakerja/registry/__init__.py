"""The participant registry: waves and quotas, registrations, barring lists, selection, cards."""
