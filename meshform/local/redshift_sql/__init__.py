"""A Redshift SQL engine for the emulator: the catalog of one namespace (catalog.py), the statements meshform's
stacks emit (engine.py) and the metadata queries tests read back (query.py). Parsing uses sqlglot's `redshift`
dialect; what sqlglot does not parse (datashares, GRANT, SHOW) goes through the strict reader in grammar.py."""
import threading

from meshform.local.redshift_sql.catalog import NamespaceCatalog
from meshform.local.redshift_sql.engine import Directory, Result, Session, execute
from meshform.local.redshift_sql.errors import SqlError
from meshform.local.redshift_sql.grammar import split_statements

# Statements and datashare API calls change catalogs of several namespaces (and accounts): one at a time.
LOCK = threading.RLock()

__all__ = ["LOCK", "Directory", "NamespaceCatalog", "Result", "Session", "SqlError", "execute", "split_statements"]
