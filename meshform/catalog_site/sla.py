"""The service levels a contract promises (ODCS v3 `slaProperties`: freshness, retention, latency, ...), as the
catalog shows them. The product model (meshform/spec/contract.py) does not carry them, so they are read from the
same contract file, parsed with the same ODCS pydantic model, after validation has accepted it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import ValidationError

from meshform.errors import ErrorList
from meshform.spec.contract import Product
from meshform.yamlio import load_yaml


@dataclass(frozen=True)
class SlaTerm:
    property: str          # e.g. freshness, retention, latency, frequency
    value: str             # e.g. "24 h"
    description: str = ""
    driver: str = ""       # regulatory | analytics | operational (ODCS)
    element: str = ""      # the column(s) the term is measured on, when given


SlaReader = Callable[[Product], tuple[SlaTerm, ...]]


def sla_reader(root: Path) -> SlaReader:
    """A reader of products' SLA terms for one run: environments share contract files, and each file is read once
    (the hardened YAML read costs ~5 ms a file)."""
    seen: dict[str, tuple[SlaTerm, ...]] = {}

    def read(product: Product) -> tuple[SlaTerm, ...]:
        if product.file not in seen:
            seen[product.file] = sla_terms(root, product)
        return seen[product.file]
    return read


def sla_terms(root: Path, product: Product) -> tuple[SlaTerm, ...]:
    """The product's SLA terms in contract order; () when the contract declares none. The file was validated
    moments ago by the loader, so a read problem here (the file changed since) degrades to "no SLA shown" rather
    than a second error report."""
    errors = ErrorList()
    data, _ = load_yaml(root / product.file, errors, product.file)
    if not isinstance(data, dict) or not data.get("slaProperties"):
        return ()
    try:
        contract = OpenDataContractStandard.model_validate(data)
    except ValidationError:
        return ()
    terms = []
    for item in contract.slaProperties or []:
        value = "" if item.value is None else _text(item.value)
        if item.valueExt is not None:
            value = f"{value} - {_text(item.valueExt)}" if value else _text(item.valueExt)
        unit = (item.unit or "").strip()
        terms.append(SlaTerm((item.property or "").strip(), f"{value} {unit}".strip(),
                             (item.description or "").strip(), (item.driver or "").strip(),
                             (item.element or "").strip()))
    return tuple(terms)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
