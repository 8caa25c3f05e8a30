"""Staff accounts: roles and permissions, passwords, sessions, sign-in lock-outs."""
