"""The test suite (a package, so each module and conftest is imported once, by one name)."""
