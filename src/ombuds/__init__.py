"""ombuds: ombudsman complaint statistics, from case records to letters and a public site."""

__version__ = "0.1.0"
