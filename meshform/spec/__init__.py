"""The user-facing inputs: environment specs (pydantic) and ODCS data contracts, plus cross-reference checks."""
