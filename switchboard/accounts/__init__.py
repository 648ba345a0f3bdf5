"""Accounts: users, roles (profiles), departments, sign-in protection and the audit log."""
