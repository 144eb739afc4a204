"""countypath: diagnose a county's development challenges and rank cited paths."""

__version__ = "0.1.0"
