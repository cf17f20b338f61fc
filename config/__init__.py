"""Configuration files (installed as the ``vungbuoc_config`` package): data, no logic."""
