"""Who is calling and what they may do: passwords, browser sessions, API and job tokens,
project roles, and the one access declaration every route makes (docs/auth.md)."""
