"""Hostile inputs written from the attacker's side, shared by the security tests."""
