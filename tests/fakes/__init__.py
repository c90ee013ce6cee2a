"""Test doubles in one place: local servers that speak real wire protocols (Ideogram, GitHub REST, JSON)."""
