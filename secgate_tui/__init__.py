"""secgate: the security release gate for health software (IEC 81001-5-1)."""

__version__ = "0.1.0"
