"""The browser fixtures (`browser`, `page`) live in the root conftest.py, shared with the apps' tests."""
