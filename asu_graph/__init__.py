"""asu-graph: the Alliance Sorbonne Université as linked open data."""

__version__ = "0.1.0"
