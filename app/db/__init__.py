"""Storage access: the engine factory and every query countypath runs."""
