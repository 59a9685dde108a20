"""Accounts and units: logins with argon2 and lockout, the administrative unit tree."""
