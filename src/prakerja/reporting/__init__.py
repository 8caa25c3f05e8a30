"""Read-only reporting: the breaks and gap exports and the auditors' daily statement."""
