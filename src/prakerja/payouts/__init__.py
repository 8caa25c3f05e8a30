"""Incentive payouts: accounts, entitlements, instructions, partner results, the escrow bank."""
