"""The resolved mesh of one environment: the spec plus its products, as the stacks consume it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from meshform import naming
from meshform.spec.contract import Product
from meshform.spec.environment import ConsumerSpec, DomainSpec, EnvironmentSpec, SubscriptionSpec

T = TypeVar("T")


@dataclass(frozen=True)
class Mesh:
    spec: EnvironmentSpec
    file: str
    products: Mapping[str, Product]          # keyed by "<domain>.<product>", sorted
    # Standalone accounts only: RAM share ARNs each subscriber accepts (handshake/<env>/<name>.yaml).
    ram_shares: Mapping[str, list[str]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    # Views derived from the fields above (the access model, ranks), computed once: every stack reads them, and a
    # Mesh never changes after loading, so they cannot go stale.
    _derived: dict = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    # -- convenience views -------------------------------------------------------------------------------
    @property
    def env(self) -> str:
        return self.spec.environment

    @property
    def region(self) -> str:
        return self.spec.region

    @property
    def governance_account(self) -> str:
        return self.spec.governance.account_id

    @property
    def ontology(self) -> list[str]:
        return list(self.spec.governance.classifications)

    @property
    def most_sensitive(self) -> str:
        """What an untagged catalog object is treated as: the database carries this level (fails closed)."""
        return self.ontology[-1]

    def rank(self, classification: str) -> int:
        ranks = self.derived("ranks", lambda: {c: i for i, c in enumerate(self.ontology)})
        if classification not in ranks:
            raise ValueError(f"{classification!r} is not in the ontology")
        return ranks[classification]

    def domain_products(self, domain: str) -> list[Product]:
        return [p for p in self.products.values() if p.domain == domain]

    def deploy_role_arn(self, account_id: str) -> str:
        return naming.role_arn(account_id, self.spec.deploy_role)

    def bucket(self, owner: str, layer: str) -> str:
        account = self.account_of(owner)
        return naming.bucket_name(self.spec.name_prefix, self.env, owner, layer, account)

    def account_of(self, owner: str) -> str:
        if owner == "governance":
            return self.governance_account
        if owner in self.spec.domains:
            return self.spec.domains[owner].account_id
        return self.spec.consumers[owner].account_id

    def all_accounts(self) -> dict[str, str]:
        """account id -> owner name (governance, a domain or a consumer)."""
        accounts = {self.governance_account: "governance"}
        accounts.update({d.account_id: name for name, d in self.spec.domains.items()})
        accounts.update({c.account_id: name for name, c in self.spec.consumers.items()})
        return accounts

    def subscriber(self, name: str) -> DomainSpec | ConsumerSpec:
        return self.spec.domains.get(name) or self.spec.consumers[name]

    def clearance_of(self, name: str) -> str:
        spec = self.subscriber(name)
        return spec.clearance or self.spec.governance.default_classification

    def subscriptions_of(self, subscriber: str) -> list[SubscriptionSpec]:
        return [s for s in self.spec.subscriptions if s.subscriber == subscriber]
