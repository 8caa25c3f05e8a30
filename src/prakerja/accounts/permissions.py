"""Who may do what: the one table from role to permissions, read by every staff route."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff account's role, as `prakerja users add --role` names it."""

    ADMIN = "ADMIN"
    """Manages the staff accounts."""
    OPERATOR = "OPERATOR"
    """Runs reconciliations, looks after waves and resolves breaks."""
    FINANCE = "FINANCE"
    """Looks after the money and the statements, and resolves breaks."""
    AUDITOR = "AUDITOR"
    """Reads everything and changes nothing."""
    PARTNER = "PARTNER"
    """A platform, provider, payment partner or the escrow bank: only its own records."""


class Permission(StrEnum):
    """One thing a staff account may see or do."""

    VIEW_OVERVIEW = "view_overview"
    """See the day's overview: funnel, reconciliation, money."""
    VIEW_BREAKS = "view_breaks"
    """See every break and the facts behind it."""
    RESOLVE_BREAKS = "resolve_breaks"
    """Resolve an open break with a written reason."""
    VIEW_STORIES = "view_stories"
    """Find a participant and open their story."""
    VIEW_IDENTITY = "view_identity"
    """See a participant's NIK, name and phone unmasked."""
    VIEW_ACCOUNT_NUMBERS = "view_account_numbers"
    """See payout account numbers unmasked."""
    VIEW_WAVES = "view_waves"
    """See quotas, selection, revocations and refilled places per wave."""
    VIEW_RUNS = "view_runs"
    """See past reconciliation runs."""
    RUN_RECONCILIATION = "run_reconciliation"
    """Start a reconciliation run for a day."""
    DOWNLOAD_EXPORTS = "download_exports"
    """Download exports and the auditors' statement."""
    MANAGE_ACCOUNTS = "manage_accounts"
    """Add and disable staff accounts."""
    VIEW_OWN_BREAKS = "view_own_breaks"
    """See the breaks that name one's own partner code, and only those."""
    VIEW_OWN_UPLOADS = "view_own_uploads"
    """See one's own partner uploads with their rejected lines, and only those."""
    DOWNLOAD_OWN_INSTRUCTIONS = "download_own_instructions"
    """Download one's own payment instruction files, and only those."""
    VIEW_STATISTICS = "view_statistics"
    """See the program statistics: ranking, survey outcomes, courses, providers."""
    VIEW_SIGNALS = "view_signals"
    """See the integrity signals with the cards behind each one."""
    VIEW_GRIEVANCES = "view_grievances"
    """See the participants' grievances."""
    RESOLVE_GRIEVANCES = "resolve_grievances"
    """Resolve an open grievance with a written reason."""
    VIEW_RECOVERIES = "view_recoveries"
    """See the recovery claims of ineligible payments and their totals."""


_READ_ALL = frozenset(
    {
        Permission.VIEW_OVERVIEW,
        Permission.VIEW_BREAKS,
        Permission.VIEW_STORIES,
        Permission.VIEW_IDENTITY,
        Permission.VIEW_ACCOUNT_NUMBERS,
        Permission.VIEW_WAVES,
        Permission.VIEW_RUNS,
        Permission.DOWNLOAD_EXPORTS,
        Permission.VIEW_STATISTICS,
        Permission.VIEW_SIGNALS,
        Permission.VIEW_GRIEVANCES,
        Permission.VIEW_RECOVERIES,
    }
)

#: The one table of who may do what.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset({Permission.MANAGE_ACCOUNTS}),
    Role.OPERATOR: frozenset(
        {
            Permission.VIEW_OVERVIEW,
            Permission.VIEW_BREAKS,
            Permission.RESOLVE_BREAKS,
            Permission.VIEW_STORIES,
            Permission.VIEW_IDENTITY,
            Permission.VIEW_WAVES,
            Permission.VIEW_RUNS,
            Permission.RUN_RECONCILIATION,
            Permission.VIEW_STATISTICS,
            Permission.VIEW_SIGNALS,
            Permission.VIEW_GRIEVANCES,
            Permission.RESOLVE_GRIEVANCES,
            Permission.VIEW_RECOVERIES,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Permission.VIEW_OVERVIEW,
            Permission.VIEW_BREAKS,
            Permission.RESOLVE_BREAKS,
            Permission.VIEW_STORIES,
            Permission.VIEW_ACCOUNT_NUMBERS,
            Permission.VIEW_RUNS,
            Permission.DOWNLOAD_EXPORTS,
            Permission.VIEW_STATISTICS,
            Permission.VIEW_GRIEVANCES,
            Permission.VIEW_RECOVERIES,
        }
    ),
    Role.AUDITOR: _READ_ALL,
    Role.PARTNER: frozenset(
        {
            Permission.VIEW_OWN_BREAKS,
            Permission.VIEW_OWN_UPLOADS,
            Permission.DOWNLOAD_OWN_INSTRUCTIONS,
        }
    ),
}


def allows(role: str, permission: Permission) -> bool:
    """Whether a role (by name) holds a permission; an unknown role holds none."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def home_path(role: str) -> str:
    """The first page to show a role after signing in."""
    if allows(role, Permission.VIEW_OVERVIEW):
        return "/"
    if allows(role, Permission.MANAGE_ACCOUNTS):
        return "/accounts"
    return "/partner/breaks"
