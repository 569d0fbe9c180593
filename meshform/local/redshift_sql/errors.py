"""Redshift SQL errors: the message Redshift prints after "ERROR: " and the PostgreSQL SQLSTATE it carries
(https://www.postgresql.org/docs/current/errcodes-appendix.html; Redshift keeps PostgreSQL's codes,
https://docs.aws.amazon.com/redshift/latest/dg/c_redshift-and-postgres-sql.html)."""
from __future__ import annotations

SYNTAX = "42601"
DUPLICATE_SCHEMA = "42P06"
DUPLICATE_TABLE = "42P07"
DUPLICATE_OBJECT = "42710"
DUPLICATE_DATABASE = "42P04"
UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
UNDEFINED_OBJECT = "42704"
INVALID_SCHEMA = "3F000"
INVALID_CATALOG = "3D000"
DEPENDENT_OBJECTS = "2BP01"
NOT_SUPPORTED = "0A000"
INVALID_PARAMETER = "22023"
INSUFFICIENT_PRIVILEGE = "42501"
ACTIVE_TRANSACTION = "25001"
OBJECT_IN_USE = "55006"


class SqlError(Exception):
    def __init__(self, message: str, sqlstate: str = SYNTAX):
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate

    def __str__(self) -> str:
        return f"ERROR: {self.message}"
