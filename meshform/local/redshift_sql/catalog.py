"""What one Redshift namespace holds (databases, schemas, relations, datashares, roles, users) and the producer
and consumer state of each datashare. Plain data: the SQL engine (engine.py) changes it, the Redshift API
(meshform/local/moto_redshift_datashares.py) reads and changes the datashare consumer state.

Datashare consumer states follow the DataShareAssociation Status enum of the Redshift API
(https://docs.aws.amazon.com/redshift/latest/APIReference/API_DataShareAssociation.html):
GRANT USAGE ... TO ACCOUNT makes the consumer account PENDING_AUTHORIZATION, AuthorizeDataShare AUTHORIZED (the
consumer sees the share as AVAILABLE), AssociateDataShareConsumer ACTIVE, DeauthorizeDataShare DEAUTHORIZED,
RejectDataShare REJECTED (https://docs.aws.amazon.com/redshift/latest/dg/across-account.html).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Column:
    name: str
    type: str
    nullable: bool = True


@dataclass
class Relation:
    schema: str
    name: str
    kind: str                       # "table" | "view"
    columns: list[Column]
    rows: int = 0
    definition: str = ""
    depends: list[tuple[str, str]] = field(default_factory=list)     # (schema, name) a view reads


@dataclass
class Schema:
    name: str
    owner: str
    relations: dict[str, Relation] = field(default_factory=dict)


@dataclass
class ShareSource:
    """A consumer database created FROM DATASHARE: it reads the producer's live objects."""
    share: str
    producer_account: str
    producer_namespace: str


@dataclass
class Database:
    name: str
    owner: str
    schemas: dict[str, Schema] = field(default_factory=dict)
    source: ShareSource | None = None
    usage: set[str] = field(default_factory=set)          # principals granted USAGE ON DATABASE


@dataclass
class Association:
    """A consumer namespace (ConsumerIdentifier = its ARN), a region, or the entire account using the share."""
    consumer: str
    region: str | None
    created: datetime
    status: str = "ACTIVE"


@dataclass
class ConsumerAccount:
    account: str
    status: str                     # PENDING_AUTHORIZATION | AUTHORIZED | DEAUTHORIZED | REJECTED
    created: datetime
    changed: datetime
    via_data_catalog: bool = False
    allow_writes: bool = False
    associations: dict[str, Association] = field(default_factory=dict)


@dataclass
class Datashare:
    name: str
    database: str                   # the producer database it was created in
    owner: str
    created: datetime
    public_accessible: bool = False
    schemas: list[str] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)
    include_new: set[str] = field(default_factory=set)    # schemas with SET INCLUDENEW = TRUE
    namespaces: dict[str, datetime] = field(default_factory=dict)   # same-account namespace grants
    accounts: dict[str, ConsumerAccount] = field(default_factory=dict)

    def shared_relations(self, db: Database) -> list[Relation]:
        """The relations a consumer sees, in the order they were added (views show only their select list)."""
        out = []
        for schema_name, name in self.relations:
            schema = db.schemas.get(schema_name)
            if schema is not None and name in schema.relations:
                out.append(schema.relations[name])
        return out


@dataclass
class NamespaceCatalog:
    namespace_id: str
    namespace_arn: str
    account: str
    region: str
    admin_user: str = "admin"
    databases: dict[str, Database] = field(default_factory=dict)
    datashares: dict[str, Datashare] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    grants: set[tuple[str, str, str]] = field(default_factory=set)   # (privilege, object, principal)

    def ensure_database(self, name: str) -> Database:
        """The default database (and any CREATE DATABASE) starts with the `public` schema, as in PostgreSQL."""
        if name not in self.databases:
            self.databases[name] = Database(name, self.admin_user, {"public": Schema("public", self.admin_user)})
        return self.databases[name]
