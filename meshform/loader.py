"""Load and cross-check environments and contracts. Never raises on bad user input except ValidationFailed,
which carries every error found in the run."""
from __future__ import annotations

import multiprocessing
import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from meshform import naming
from meshform.catalog_layout import MAX_STACK_RESOURCES, oversized_catalogs
from meshform.delivery_plan import MAX_RUN_TRIGGER_SOURCES, workspaces
from meshform.errors import ErrorList, SpecError, ValidationFailed
from meshform.settings import load_settings
from meshform.spec.contract import Product, _odcs_validator, load_contract
from meshform.spec.environment import (
    CONSUMER_NAME,
    DOMAIN_NAME,
    FIX_SEPARATOR,
    IAM_PRINCIPAL_ARN,
    CloudBackendSpec,
    EnvironmentSpec,
)
from meshform.spec.mesh import Mesh
from meshform.yamlio import already_reported, describe_value, load_yaml, os_problem, plain_text, quote_fix


def load_meshes(root: Path, env_names: list[str] | None = None) -> list[Mesh]:
    """Load `environments/*.yaml` (or only `env_names`) and the contracts they reference."""
    errors = ErrorList()
    entries = _list_dir(root / "environments", errors, "environments/") or []
    if errors:
        raise ValidationFailed(errors)
    available = sorted(n[:-len(".yaml")] for n in entries if n.endswith(".yaml"))
    for stray in (n for n in entries if n.endswith(".yml")):
        errors.add(f"environments/{stray}", "", "environment files must end in .yaml; this file is ignored",
                   f"rename it to {stray[:-len('.yml')]}.yaml")
    if not available:
        errors.add("environments/", "", "no environment files found",
                   "create environments/<env>.yaml (see README, 'Environment spec')")
        raise ValidationFailed(errors)
    selected = env_names or available
    for name in selected:
        if name not in available:
            errors.add(f"environments/{name}.yaml", "", f"environment {name!r} does not exist",
                       f"choose one of: {', '.join(available)}")
    if errors:
        raise ValidationFailed(errors)

    meshes: list[Mesh] = []
    contracts: dict = {}           # environments share contracts: parse and check each one once per ontology
    parsed: dict[str, object] = {}     # environment file name -> its data, for the orphan check below
    for name in selected:
        mesh = _load_environment(root, name, errors, contracts, parsed)
        if mesh is not None:
            meshes.append(mesh)
    # Whether a contracts/<domain>/ directory belongs to no environment can only be decided over every
    # environment file: the check reads all of them (also with --env), and is skipped only when one of them cannot
    # be parsed (its domains are unknown; without --env that file's errors are reported anyway). Contract-level
    # problems (.yml files, unreadable files) of the selected environments' domains are always reported.
    _check_orphan_contract_dirs(root, errors, parsed)
    if errors:
        raise ValidationFailed(errors)
    return meshes


def _load_environment(root: Path, name: str, errors: ErrorList, contracts: dict,
                      parsed: dict[str, object]) -> Mesh | None:
    display = f"environments/{name}.yaml"
    at_start = len(errors)
    data, lines = load_yaml(root / display, errors, display)
    parsed[f"{name}.yaml"] = data
    if data is None:
        return None
    if not isinstance(data, dict):
        errors.add(display, "", "an environment file must be a YAML mapping", "see README, 'Environment spec'")
        return None
    try:
        spec = EnvironmentSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            _add_pydantic_error(errors, display, err, lines)
        _check_contracts_best_effort(root, data, errors)
        return None

    def add(path: str, problem: str, fix: str = "") -> None:
        if not already_reported(lines, path):
            errors.add(display, path, problem, fix, lines)

    if spec.environment != name:
        add("environment", f"environment is {spec.environment!r} but the file is {name}.yaml",
            f"set environment: {name} or rename the file")
    _check_names_and_accounts(spec, add)
    unusable: dict[str, str] = {}
    products = _load_products(root, spec, errors, contracts, unusable)
    mesh = Mesh(spec, display, dict(sorted(products.items())))
    _check_subscriptions(mesh, add, unusable)
    if len(errors) == at_start:                # the access model needs an otherwise valid environment
        _check_catalog_sizes(mesh, add)
    if len(errors) == at_start and isinstance(spec.backend, CloudBackendSpec):
        _check_delivery(mesh, add)
    _check_pipelines(mesh, add, unusable)
    _check_audit_trail(mesh, add)
    _check_redshift(mesh, add)
    if spec.organization_id is None:
        shares, notices = _load_handshakes(root, mesh, errors)
        mesh = Mesh(spec, display, mesh.products, shares, notices)
    return mesh


def _check_names_and_accounts(spec: EnvironmentSpec, add) -> None:
    gov = spec.governance
    ontology = gov.classifications
    owners: dict[str, str] = {}
    for domain, d in spec.domains.items():
        if not DOMAIN_NAME.fullmatch(domain):
            add(f"domains.{domain}", f"domain name {domain!r} must be 2-30 lower-case letters or digits, starting "
                "with a letter (it becomes a Glue database name, an LF-tag value and part of S3 bucket names)",
                "rename the domain")
        if d.clearance is not None and d.clearance not in ontology:
            add(f"domains.{domain}.clearance", f"clearance {d.clearance!r} is not in governance.classifications",
                f"use one of: {', '.join(ontology)}")
        _check_own_account(add, f"domains.{domain}", d.account_id, {"principals": d.principals, "admins": d.admins})
        owners[domain] = "domains"
    for consumer, c in spec.consumers.items():
        if not CONSUMER_NAME.fullmatch(consumer) or len(consumer) > 30:
            add(f"consumers.{consumer}", f"consumer name {consumer!r} must be lower-case letters, digits and "
                "single hyphens, at most 30 characters", "rename the consumer")
        if consumer in owners:
            add(f"consumers.{consumer}", f"{consumer!r} is both a domain and a consumer; subscribers must be "
                "unambiguous", "rename one of them")
        if consumer == "governance":
            add(f"consumers.{consumer}", "'governance' is reserved", "rename the consumer")
        if c.clearance not in ontology:
            add(f"consumers.{consumer}.clearance", f"clearance {c.clearance!r} is not in governance.classifications",
                f"use one of: {', '.join(ontology)}")
        granted_domains: set[str] = set()
        for g_index, grant in enumerate(c.grants):
            g_path = f"consumers.{consumer}.grants.{g_index}"
            if grant.domain in granted_domains:
                add(f"{g_path}.domain", f"a second tag grant for domain {grant.domain!r}",
                    "merge the classifications into one entry per domain")
            granted_domains.add(grant.domain)
            if grant.domain not in spec.domains:
                add(f"{g_path}.domain", f"tag grant to unknown domain {grant.domain!r}",
                    f"use one of: {', '.join(spec.domains)}")
            for value in grant.classification:
                if value not in ontology:
                    add(f"{g_path}.classification", f"classification {value!r} is not in governance.classifications",
                        f"use one of: {', '.join(ontology)}")
                elif c.clearance in ontology and ontology.index(value) > ontology.index(c.clearance):
                    add(f"{g_path}.classification", f"tag grant of {value!r} data is above {consumer}'s clearance "
                        f"{c.clearance!r}", f"remove {value!r} or raise the clearance")
        _check_own_account(add, f"consumers.{consumer}", c.account_id, {"principals": c.principals,
                                                                         "admins": c.admins})
    for reserved in ("governance", "default"):
        if reserved in spec.domains:
            add(f"domains.{reserved}", f"{reserved!r} is reserved (the governance stack / Glue's default database)",
                "rename the domain")
    _check_own_account(add, "governance", gov.account_id, {"admins": gov.admins,
                                                           "read_only_admins": gov.read_only_admins})
    # LF admins hold implicit permissions: granting them anything breaks destroy (provider docs).
    for kind, owners_map in (("domains", spec.domains), ("consumers", spec.consumers)):
        for owner, o in owners_map.items():
            for i, principal in enumerate(o.principals):
                if principal in o.admins:
                    add(f"{kind}.{owner}.principals.{i}", f"{principal} is also a Lake Formation admin of the "
                        "account; admins must not receive grants", "remove it from principals or from admins")

    # Duplicate account IDs: one account per role in the mesh.
    seen: dict[str, str] = {gov.account_id: "governance.account_id"}
    entries = [(f"domains.{n}.account_id", d.account_id) for n, d in spec.domains.items()]
    entries += [(f"consumers.{n}.account_id", c.account_id) for n, c in spec.consumers.items()]
    for path, account in entries:
        if account in seen:
            add(path, f"account {account} is already used by {seen[account]}",
                "give every governance/domain/consumer its own AWS account")
        else:
            seen[account] = path

    for domain in spec.domains:
        for role in (naming.lf_registration_role_name(spec.name_prefix, spec.environment, domain),
                     naming.etl_role_name(spec.name_prefix, spec.environment, domain),
                     naming.etl_fgac_role_name(spec.name_prefix, spec.environment, domain)):
            if len(role) > naming.IAM_ROLE_MAX:
                add(f"domains.{domain}", f"IAM role name {role!r} would be {len(role)} characters; IAM allows "
                    f"{naming.IAM_ROLE_MAX}", "shorten name_prefix or the domain name")

    # Global names must fit AWS limits (S3 bucket names: 3-63 characters).
    for kind, names in (("domains", spec.domains), ("consumers", spec.consumers)):
        for owner, o in names.items():
            longest = naming.bucket_name(spec.name_prefix, spec.environment, owner, naming.LONGEST_LAYER,
                                         o.account_id)
            if len(longest) > naming.S3_BUCKET_MAX:
                add(f"{kind}.{owner}", f"bucket name {longest!r} would be {len(longest)} characters; S3 allows "
                    f"{naming.S3_BUCKET_MAX}", "shorten name_prefix or the name")


def _check_own_account(add, path: str, account_id: str, lists: dict[str, list[str]]) -> None:
    """Principals and admins of an account must be IAM principals of that very account: other accounts get
    access by grants to the account, which re-grants to its own principals."""
    for field, arns in lists.items():
        for i, arn in enumerate(arns):
            match = IAM_PRINCIPAL_ARN.fullmatch(arn)
            account = match.group(2) if match else None
            if match and account != account_id:
                add(f"{path}.{field}.{i}", f"{arn} is in account {account}, not in this account {account_id}",
                    "list only roles of the account itself (cross-account access is granted to the account, "
                    "which re-grants to its own principals)")


def _list_dir(path: Path, errors: ErrorList, display: str) -> list[str] | None:
    """Sorted entry names of a directory; None when it does not exist. Problems (not a directory, permission
    denied, broken link, name too long) are reported, never raised, and never mistaken for an empty directory."""
    try:
        with os.scandir(path) as entries:
            return sorted(entry.name for entry in entries)
    except FileNotFoundError:
        if os.path.islink(path):
            errors.add(display, "", "broken symbolic link: the directory it points to does not exist",
                       "point the link at an existing directory or replace it with the directory")
            return []
        return None
    except NotADirectoryError:
        errors.add(display, "", "is a file, but a directory is expected here", "replace it with a directory")
        return []
    except PermissionError:
        errors.add(display, "", "permission denied: the directory cannot be listed by this user",
                   "make it readable and searchable, e.g. chmod a+rx on the directory")
        return []
    except (OSError, ValueError) as exc:
        errors.add(display, "", *os_problem(exc, "directory"))
        return []


def _contract_files(root: Path, domain: str, errors: ErrorList) -> tuple[list[Path], list[str]]:
    """The domain's contract files (*.yaml) and the product names of misnamed *.yml files (reported here)."""
    if not DOMAIN_NAME.fullmatch(domain):        # reported as a naming error; never used as a path
        return [], []
    names = _list_dir(root / "contracts" / domain, errors, f"contracts/{domain}/") or []
    yml = [n for n in names if n.endswith(".yml")]
    for stray in yml:
        errors.add(f"contracts/{domain}/{stray}", "", "contracts must end in .yaml; this file is ignored",
                   f"rename it to {stray[:-len('.yml')]}.yaml")
    return [root / "contracts" / domain / n for n in names if n.endswith(".yaml")], [n[:-4] for n in yml]


def _load_products(root: Path, spec: EnvironmentSpec, errors: ErrorList, contracts: dict,
                   unusable: dict[str, str]) -> dict[str, Product]:
    """Products of the spec's domains; `unusable` receives fqn -> why a product file exists but yields nothing."""
    products: dict[str, Product] = {}
    gov = spec.governance
    files = {domain: _contract_files(root, domain, errors) for domain in sorted(spec.domains)}
    ontology = (tuple(gov.classifications), gov.default_classification)
    jobs = [(path, f"contracts/{domain}/{path.name}", domain, *ontology)
            for domain, (paths, _) in files.items() for path in paths
            if (f"contracts/{domain}/{path.name}", *ontology) not in contracts]
    for job, loaded in zip(jobs, _load_contracts(jobs), strict=True):
        contracts[(job[1], *ontology)] = loaded
    for domain, (paths, yml) in files.items():
        table_owner: dict[str, str] = {}
        for stem in yml:
            unusable[f"{domain}.{stem}"] = f"contracts/{domain}/{stem}.yml must be renamed to {stem}.yaml"
        for path in paths:
            display = f"contracts/{domain}/{path.name}"
            product, contract_errors = contracts[(display, *ontology)]
            errors.errors.extend(contract_errors)
            if product is None:
                unusable[f"{domain}.{path.stem}"] = f"{display} has errors, see above"
                continue
            for i, table in enumerate(product.tables):
                # All products of a domain share the domain's central database: table names must not clash.
                if table.name in table_owner:
                    errors.add(display, f"schema.{i}.name", f"table {table.name!r} is also defined by "
                               f"{table_owner[table.name]}; tables of one domain share its central database",
                               "rename one of the tables (set physicalName)")
                table_owner[table.name] = display
            products[product.fqn] = product
    return products


def _check_catalog_sizes(mesh: Mesh, add) -> None:
    """The documented rule of meshform/catalog_layout.py: no catalog stack above MAX_STACK_RESOURCES."""
    for layout, suggested in oversized_catalogs(mesh):
        domain = layout.domain
        stacks = ", ".join(f"{naming.catalog_stack_name(mesh.env, domain, part)} ({n})"
                           for part, n in enumerate(layout.resources) if n > MAX_STACK_RESOURCES)
        spec = mesh.spec.domains[domain]
        add(f"domains.{domain}.catalog_stacks" if "catalog_stacks" in spec.model_fields_set else f"domains.{domain}",
            f"domain {domain!r}: its catalog would put more than {MAX_STACK_RESOURCES} resources into one stack "
            f"({stacks}; catalog_stacks is {spec.catalog_stacks})",
            f"set domains.{domain}.catalog_stacks: {suggested} (its products then spread over that many stacks; "
            "see README, 'Large domains' for moving existing state)")


def _check_delivery(mesh: Mesh, add) -> None:
    """HCP Terraform's limit on what the delivery stack creates (docs/delivery.md): at most
    MAX_RUN_TRIGGER_SOURCES run trigger sources per workspace. (Workspace and run role names always fit: the S3
    bucket rule above bounds name_prefix + environment + owner to 33 characters, which leaves a workspace name
    (workspace_prefix <= 40) below 90 and `<prefix>-tfc-<stack>` below IAM's 64.)"""
    for ws in workspaces(mesh):
        if len(ws.run_triggers) > MAX_RUN_TRIGGER_SOURCES:
            add("backend.run_triggers", f"workspace {ws.name} would follow {len(ws.run_triggers)} run trigger "
                f"sources; HCP Terraform allows {MAX_RUN_TRIGGER_SOURCES}",
                "set backend.run_triggers: false and queue runs in deploy order from CI (docs/delivery.md)")


_ContractJob = tuple[Path, str, str, tuple[str, ...], str]     # path, display, domain, ontology, default
_PARALLEL_FROM = 64         # below this, starting worker processes costs more than it saves


def _load_one(job: _ContractJob) -> tuple[Product | None, list[SpecError]]:
    path, display, domain, ontology, default = job
    found = ErrorList()
    return load_contract(path, display, domain, list(ontology), default, found), found.errors


def _load_contracts(jobs: list[_ContractJob]) -> list[tuple[Product | None, list[SpecError]]]:
    """Parse and check contracts, in worker processes when there are many: each contract is independent and
    CPU-bound (YAML events + schema checks), so a 1,000-contract mesh validates ~cores times faster. Results come
    back in job order, so errors and products are the same as a sequential run. Forked workers inherit the
    imported modules and the compiled schema; where fork is unavailable the run stays sequential."""
    workers = min(len(jobs) // _PARALLEL_FROM, load_settings().processes)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_load_one(job) for job in jobs]
    _odcs_validator()                                   # compile once, before forking
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_load_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _check_subscriptions(mesh: Mesh, add, unusable: dict[str, str]) -> None:
    spec = mesh.spec
    ontology = mesh.ontology
    seen: dict[tuple[str, str], int] = {}
    for i, sub in enumerate(spec.subscriptions):
        path = f"subscriptions.{i}"
        label = f"subscription {sub.subscriber} -> {sub.product}"
        known_subscriber = sub.subscriber in spec.domains or sub.subscriber in spec.consumers
        if not known_subscriber:
            add(f"{path}.subscriber", f"{label}: unknown subscriber {sub.subscriber!r}",
                f"use a consumer ({', '.join(spec.consumers) or 'none'}) or a domain ({', '.join(spec.domains)})")
        product = mesh.products.get(sub.product)
        domain = sub.product.split(".")[0]
        if product is None:
            where = (unusable.get(sub.product) or f"no contract contracts/{domain}/{sub.product.split('.')[1]}.yaml"
                     if domain in spec.domains else f"unknown domain {domain!r}")
            add(f"{path}.product", f"{label}: unknown product {sub.product!r} ({where})",
                f"use one of: {', '.join(mesh.products) or 'no products defined'}")
        if sub.subscriber == domain:
            add(f"{path}.subscriber", f"{label}: a domain cannot subscribe to its own product",
                "remove the subscription; the domain already owns the data")
        key = (sub.subscriber, sub.product)
        if key in seen:
            add(path, f"{label} duplicates subscriptions.{seen[key]}", "merge the two entries")
        seen[key] = i
        if product is None or not known_subscriber:
            continue
        clearance = mesh.clearance_of(sub.subscriber)
        if clearance not in ontology:       # reported at the subscriber's clearance; nothing to compare against
            continue
        if sub.columns is None:
            for table in product.tables:
                if all(mesh.rank(c.classification) > mesh.rank(clearance) for c in table.all_columns):
                    add(path, f"{label}: every column of table {table.name!r} is above {sub.subscriber}'s "
                        f"clearance {clearance!r}: the subscription would share nothing of it",
                        "raise the clearance or drop the subscription")
            continue
        if not sub.columns:
            add(f"{path}.columns", f"{label}: an empty column mapping shares nothing",
                "list {table: [columns]} or remove `columns` to subscribe to the whole product")
        for table_name, columns in sub.columns.items():
            found = product.table(table_name)
            if found is None:
                add(f"{path}.columns.{table_name}", f"{label}: product has no table {table_name!r}",
                    f"use one of: {', '.join(t.name for t in product.tables)}")
                continue
            if not columns:
                add(f"{path}.columns.{table_name}", f"{label}: empty column list for table {table_name!r}",
                    "list the columns to share, or drop the table from columns")
            by_name = {c.name: c for c in found.all_columns}
            for column in columns:
                col = by_name.get(column)
                if col is None:
                    add(f"{path}.columns.{table_name}", f"{label}: table {table_name!r} has no column {column!r}",
                        f"use columns of the contract: {', '.join(by_name)}")
                elif mesh.rank(col.classification) > mesh.rank(clearance):
                    add(f"{path}.columns.{table_name}",
                        f"{label}: column {table_name}.{column} is classified {col.classification!r}, above "
                        f"{sub.subscriber}'s clearance {clearance!r}",
                        f"remove {column!r} from the subscription or raise {sub.subscriber}'s clearance")


RAM_SHARE_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov):ram:([a-z0-9-]+):([0-9]{12}):resource-share/[A-Za-z0-9-]{1,128}", re.ASCII)


def _load_handshakes(root: Path, mesh: Mesh, errors: ErrorList) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """Standalone accounts (no organization_id): Lake Formation's RAM invitations must be accepted by each
    receiving account. `meshform ram-handshake` records the offered shares in handshake/<env>/<name>.yaml."""
    from meshform.access import shared_domains

    spec = mesh.spec
    receivers = sorted({*spec.domains, *(c for c in spec.consumers if shared_domains(mesh, c))})
    shares: dict[str, list[str]] = {}
    missing = []
    for name in receivers:
        if not (DOMAIN_NAME.fullmatch(name) or CONSUMER_NAME.fullmatch(name)) or len(name) > 30:
            continue                                    # reported as a naming error; never used as a path
        display = f"handshake/{mesh.env}/{name}.yaml"
        path = root / display
        try:
            os.lstat(path)
        except FileNotFoundError:
            missing.append(name)
            continue
        except (OSError, ValueError):
            pass                                        # load_yaml reports it
        data, lines = load_yaml(path, errors, display)
        if data is None:
            continue
        arns = data.get("share_arns") if isinstance(data, dict) else None
        if not isinstance(arns, list) or not all(isinstance(a, str) for a in arns):
            errors.add(display, "share_arns", "share_arns must be a list of RAM resource share ARNs",
                       "regenerate the file with `meshform ram-handshake`", lines)
            continue
        for i, arn in enumerate(arns):
            match = RAM_SHARE_ARN.fullmatch(arn)
            if not match or match.group(3) != spec.governance.account_id or match.group(2) != spec.region:
                errors.add(display, f"share_arns.{i}", f"{arn!r} is not a RAM share of the governance account "
                           f"{spec.governance.account_id} in {spec.region}",
                           "accept only shares the governance account offers: rerun `meshform ram-handshake`", lines)
        shares[name] = sorted(set(arns))
    notices: tuple[str, ...] = ()
    if missing:
        notices = (f"{mesh.env}: accounts are standalone (no organization_id) and {', '.join(missing)} "
                   f"{'has' if len(missing) == 1 else 'have'} no accepted RAM shares yet: shared databases stay "
                   f"invisible there until you deploy {mesh.env}-governance, run `meshform ram-handshake --env "
                   f"{mesh.env}`, then synthesize and deploy again (README, 'RAM invitations').",)
    return shares, notices


def _check_contracts_best_effort(root: Path, data: dict, errors: ErrorList) -> None:
    """The environment file is invalid, but its contracts can still be checked: report everything in one run."""
    gov: dict = data["governance"] if isinstance(data.get("governance"), dict) else {}
    ontology = gov.get("classifications")
    if not (isinstance(ontology, list) and ontology and all(isinstance(c, str) for c in ontology)):
        ontology = ["public", "internal", "confidential", "pii"]
    default = gov.get("default_classification", "internal")
    default = default if default in ontology else ontology[0]
    domains: dict = data["domains"] if isinstance(data.get("domains"), dict) else {}
    for domain in sorted(str(d) for d in domains):
        for path in _contract_files(root, domain, errors)[0]:
            load_contract(path, f"contracts/{domain}/{path.name}", domain, ontology, default, errors)


def _declared_domains(root: Path, parsed: dict[str, object]) -> set[str] | None:
    """Domain names of every environment file, read with the same hostile-input rules but without reporting
    (used only for the orphan-contract check; `parsed` holds the files this run has read already). None when some
    environment file cannot be read as a mapping."""
    names: set[str] = set()
    for entry in _list_dir(root / "environments", ErrorList(), "environments/") or []:
        if not entry.endswith(".yaml"):
            continue
        data = parsed[entry] if entry in parsed else load_yaml(root / "environments" / entry, ErrorList(), entry)[0]
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("domains"), dict):
            names.update(str(d) for d in data["domains"])
    return names


def _check_orphan_contract_dirs(root: Path, errors: ErrorList, parsed: dict[str, object]) -> None:
    contracts = root / "contracts"
    entries = _list_dir(contracts, errors, "contracts/")
    if not entries:
        return
    known = _declared_domains(root, parsed)
    if known is None:
        return
    for name in entries:
        display = f"contracts/{name}"
        try:
            is_dir = stat.S_ISDIR(os.stat(contracts / name).st_mode)
        except (OSError, ValueError):
            is_dir = False              # a broken link or unreadable entry: reported below if it looks like a contract
        if not is_dir:
            if name.endswith((".yaml", ".yml")):
                errors.add(display, "", "a contract directly in contracts/ belongs to no domain; this file is "
                           "ignored", f"move it to contracts/<domain>/{name}")
            continue
        if name in known:
            continue
        files = _list_dir(contracts / name, errors, f"{display}/") or []
        if any(f.endswith(".yaml") for f in files):
            errors.add(f"{display}/", "", f"domain {name!r} has contracts but is not declared in any environment",
                       "add the domain to an environment or remove the directory")
        for stray in (f for f in files if f.endswith(".yml")):
            errors.add(f"{display}/{stray}", "", "contracts must end in .yaml; this file is ignored",
                       f"rename it to {stray[:-len('.yml')]}.yaml")


_PYDANTIC_FIXES = {
    "extra_forbidden": "remove the key or fix its spelling (see README, 'Environment spec')",
    "missing": "add the key (see README, 'Environment spec')",
    "string_pattern_mismatch": "use the format given by the pattern (see README, 'Environment spec')",
    "literal_error": "use one of the allowed values",
    "union_tag_invalid": "set backend.type to local, s3 or cloud",
    "too_short": "add at least the minimum number of entries",
    "too_long": "remove entries down to the maximum",
    "string_too_long": "shorten the value",
    "string_too_short": "lengthen the value",
}


def _add_pydantic_error(errors: ErrorList, display: str, err: Any, lines: dict | None) -> None:
    loc = [str(p) for p in err["loc"]]
    # Discriminated unions insert the tag into the location (backend.s3.bucket): drop it.
    if len(loc) >= 2 and loc[0] == "backend" and loc[1] in ("local", "s3", "cloud"):
        loc.pop(1)
    # Annotated validators add a pseudo-segment such as 'function-after[...]'.
    loc = [p for p in loc if not p.startswith("function-")]
    path = ".".join(loc)
    if already_reported(lines, path):              # loading the YAML said what is wrong with this value
        return
    kind = err["type"]
    if kind == "extra_forbidden":
        problem = f"unknown key {loc[-1]!r}"
    elif kind == "missing":
        problem = f"required key {loc[-1]!r} is missing"
    elif kind == "value_error":
        problem = str(err["msg"]).removeprefix("Value error, ")
        problem, _, fix = problem.partition(FIX_SEPARATOR)
        if fix:
            errors.add(display, path, problem, fix, lines)
            return
    elif kind == "string_pattern_mismatch":
        problem = f"{err.get('input')!r} has the wrong format (must match {err['ctx']['pattern']})"
    elif kind in _EXPECTED:
        value, raw = err.get("input"), plain_text(lines, path)
        errors.add(display, path, f"expected {_EXPECTED[kind]}, got {describe_value(value, raw)}",
                   _type_fix(kind, path, value, raw), lines)
        return
    elif kind == "union_tag_not_found":
        errors.add(display, path, "the backend has no `type`", "add `type: local` (or s3, cloud) under backend: "
                   "see README, 'Environment spec' (backend)", lines)
        return
    elif kind == "union_tag_invalid":
        path = f"{path}.type" if path else "type"
        tag = err.get("ctx", {}).get("tag")
        value = err["input"].get("type", tag) if isinstance(err.get("input"), dict) else tag
        problem = f"{describe_value(value, plain_text(lines, path))} is not a backend type"
    else:
        shown = err.get("input")
        problem = f"{err['msg']}, got {describe_value(shown, plain_text(lines, path))}" if "input" in err and not \
            isinstance(shown, (dict, list)) else str(err["msg"])
    errors.add(display, path, problem, _PYDANTIC_FIXES.get(kind, "correct the value (see README, 'Environment spec')"),
               lines)


# What a pydantic type error expected, in the words of a message.
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping of its fields",
    "model_attributes_type": "a mapping of its fields",
}


def _type_fix(kind: str, path: str, value: object, raw: str | None) -> str:
    """The fix for a value of the wrong type: quote what YAML typed, fill in what is empty, wrap what must be a list."""
    key = path.rsplit(".", 1)[-1]
    if value is None:
        return f"write the value after `{key}:` (or remove the line if the field is optional)"
    if kind == "string_type":
        return quote_fix(path, raw) if raw is not None else "write one text value (quoted if in doubt)"
    if kind == "list_type" and not isinstance(value, (dict, list)):
        return f"write a list, e.g. {key}: [{raw if raw is not None else value}]"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "write a whole number without quotes or units, e.g. 3"
    if kind in ("float_type", "float_parsing"):
        return "write a number without quotes or units, e.g. 250"
    if kind in ("bool_type", "bool_parsing"):
        return f"write {key}: true or {key}: false"
    what = "the entry" if key.isdigit() else key
    if kind == "dict_type":
        return f"write {what} as a mapping (`name: value` lines indented below it)"
    return f"write {what} as a mapping of its fields, indented below it (see README, 'Environment spec')"


def _check_audit_trail(mesh: Mesh, add) -> None:
    """The audit trails' advanced event selectors hold at most 500 condition values
    (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html): 3 are fixed,
    one per lake bucket the trail logs (docs/operations.md, "Audit trail")."""
    from meshform.operations import TRAIL_SELECTOR_VALUES_MAX, audit_trails, trail_lake_buckets

    for account in audit_trails(mesh):
        count = len(trail_lake_buckets(mesh, account))
        if count > TRAIL_SELECTOR_VALUES_MAX:
            add("domains", f"the audit trail of account {account} would log {count} lake buckets; a trail's "
                f"advanced event selectors allow {TRAIL_SELECTOR_VALUES_MAX} ({TRAIL_SELECTOR_VALUES_MAX // 3} "
                "domains)", "split the mesh into environments of at most that many domains")


# A freshness alarm has one evaluation period of the SLA's length; PutMetricAlarm allows at most 604,800 s.
FRESHNESS_MAX_SECONDS = 7 * 86400


def _check_pipelines(mesh: Mesh, add, unusable: dict[str, str]) -> None:
    """`domains.<d>.pipelines` (docs/pipelines.md): each key is a product of that very domain; inputs exist, are
    not the product itself and are subscribed by the domain (or are its own products); the pipeline's names fit
    AWS's limits; and the contract can run in the chosen format (the manifest the Glue jobs receive builds)."""
    from meshform import ops_names, pipeline_names
    from meshform.pipeline.manifest import ManifestError, pipeline_manifest

    spec = mesh.spec
    subscribed = {(s.subscriber, s.product) for s in spec.subscriptions}
    for domain, d in spec.domains.items():
        own = sorted(p.name for p in mesh.domain_products(domain))
        for name, pipeline in d.pipelines.items():
            path = f"domains.{domain}.pipelines.{name}"
            product = mesh.products.get(f"{domain}.{name}")
            if product is None:
                owners = sorted(p.domain for p in mesh.products.values() if p.name == name)
                if "." in name:
                    add(path, f"pipeline key {name!r}: pipelines are keyed by the product name alone",
                        f"write {name.split('.', 1)[1]!r} under domains.{name.split('.', 1)[0]}.pipelines")
                elif owners and domain not in owners:
                    add(path, f"product {name!r} belongs to domain {owners[0]!r}, not to {domain!r}: a domain runs "
                        "pipelines only for its own products",
                        f"move the entry to domains.{owners[0]}.pipelines")
                elif f"{domain}.{name}" in unusable:
                    add(path, f"pipeline for {domain}.{name}: {unusable[f'{domain}.{name}']}",
                        "fix the contract first")
                else:
                    add(path, f"unknown product {name!r}: there is no contract contracts/{domain}/{name}.yaml",
                        f"use one of {domain}'s products: {', '.join(own) or 'none (add a contract first)'}")
                continue
            seen: set[str] = set()
            for i, ref in enumerate(pipeline.inputs):
                i_path = f"{path}.inputs.{i}"
                if ref in seen:
                    add(i_path, f"input {ref!r} is listed twice", "list each input once")
                seen.add(ref)
                source = mesh.products.get(ref)
                if ref == product.fqn:
                    add(i_path, f"the pipeline of {ref} lists its own product as input", "remove it")
                elif source is None:
                    where = unusable.get(ref) or "no such product"
                    add(i_path, f"unknown input product {ref!r} ({where})",
                        f"use one of: {', '.join(mesh.products) or 'no products defined'}")
                elif source.domain != domain and (domain, ref) not in subscribed:
                    add(i_path, f"input {ref} is not subscribed by {domain}: the pipeline reads only what the "
                        "domain's subscriptions grant it",
                        f"add `- {{subscriber: {domain}, product: {ref}}}` to subscriptions, or remove the input")
            tables = [t.name for t in product.tables]
            rule = ops_names.glue_failure_rule_name(spec.name_prefix, mesh.env, domain, name)
            for what, value, maximum in [*pipeline_names.limits(spec.name_prefix, mesh.env, domain, name, tables),
                                         ("EventBridge rule name", rule, pipeline_names.EVENT_RULE_MAX)]:
                if len(value) > maximum:
                    add(path, f"{what} {value!r} would be {len(value)} characters; AWS allows {maximum}",
                        "shorten name_prefix, the domain or the product name")
            try:
                pipeline_manifest(mesh, product, pipeline)
            except ManifestError as exc:
                add(f"{path}.format", f"pipeline for {product.fqn}: {exc}", "see docs/pipelines.md, 'Input formats'")
            if product.freshness_seconds is not None and product.freshness_seconds > FRESHNESS_MAX_SECONDS:
                add(path, f"pipeline for {product.fqn}: the contract's freshness SLA is "
                    f"{product.freshness_seconds // 3600} h, but a CloudWatch alarm evaluates at most 7 days "
                    "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)",
                    f"promise freshness of at most 7 d in {product.file} (slaProperties)")


def _check_redshift(mesh: Mesh, add) -> None:
    """`via: redshift` (docs/redshift.md): a Redshift warehouse on both sides, no column subsets (a datashare is
    all-or-nothing per account: Redshift delivers per clearance level), names within Redshift's limits, and at
    most 60 databases per warehouse (its own and one per datashare it reads)."""
    from meshform.redshift import model

    spec = mesh.spec
    prefix, env = spec.name_prefix, mesh.env
    databases: dict[str, int] = {}
    for i, sub in enumerate(spec.subscriptions):
        path = f"subscriptions.{i}.via"
        if len(set(sub.via)) != len(sub.via):
            add(path, f"via lists {sorted(sub.via)} with a repetition", "list each of lakeformation, redshift once")
        if "redshift" not in sub.via:
            continue
        label = f"subscription {sub.subscriber} -> {sub.product}"
        domain = sub.product.split(".")[0]
        producer = spec.domains.get(domain)
        if producer is not None and producer.redshift is None:
            add(path, f"{label}: via redshift, but domain {domain!r} has no Redshift warehouse",
                f"add a `redshift:` block to domains.{domain} (docs/redshift.md) or drop redshift from via")
        subscriber = spec.domains.get(sub.subscriber) or spec.consumers.get(sub.subscriber)
        if subscriber is not None and subscriber.redshift is None:
            kind = "domains" if sub.subscriber in spec.domains else "consumers"
            add(path, f"{label}: via redshift, but {sub.subscriber!r} has no Redshift warehouse",
                f"add a `redshift:` block to {kind}.{sub.subscriber} (docs/redshift.md) or drop redshift from via")
        if sub.columns is not None:
            add(f"subscriptions.{i}.columns", f"{label}: column subsets are delivered through Lake Formation only; "
                "a Redshift datashare is shared whole with an account, so Redshift delivers per clearance level",
                "drop the column subset (Redshift then delivers every column within the subscriber's clearance, "
                "withholding the rest) or drop redshift from via")
        databases[sub.subscriber] = databases.get(sub.subscriber, 0) + 1
    for owner, count in sorted(databases.items()):
        if count + 1 > model.DATABASES_PER_WAREHOUSE:
            add("subscriptions", f"{owner}'s warehouse would hold {count + 1} databases (its own and {count} from "
                f"datashares); Redshift allows {model.DATABASES_PER_WAREHOUSE} per warehouse",
                "subscribe to fewer products via redshift")
    for owner in model.warehouses(mesh):
        kind = "domains" if owner in spec.domains else "consumers"
        name = naming.redshift_warehouse_name(prefix, env, owner)
        if len(name) > naming.REDSHIFT_WAREHOUSE_MAX or "--" in name:
            add(f"{kind}.{owner}.redshift", f"warehouse name {name!r} is {len(name)} characters; Redshift allows "
                f"{naming.REDSHIFT_WAREHOUSE_MAX} (lower-case letters, digits, single hyphens)",
                "shorten name_prefix or the owner's name")
        for what, role in (("COPY role", naming.redshift_role_name(prefix, env, owner)),
                           ("flow-log role", naming.redshift_flow_logs_role_name(prefix, env, owner))):
            if len(role) > naming.IAM_ROLE_MAX:
                add(f"{kind}.{owner}.redshift", f"{what} name {role!r} would be {len(role)} characters; IAM "
                    f"allows {naming.IAM_ROLE_MAX}", "shorten name_prefix or the owner's name")
        if kind != "domains":
            continue
        for product in mesh.domain_products(owner):
            names = [naming.redshift_consumer_database_name(owner, product.name)]
            for share in model.product_shares(mesh, product):
                names += [share.name, *(o.name for o in share.objects)]
            for value in names:
                if len(value.encode()) > naming.REDSHIFT_IDENTIFIER_MAX:
                    add(f"{kind}.{owner}.redshift", f"{product.fqn}: Redshift name {value[:40]!r}... is "
                        f"{len(value.encode())} bytes; Redshift identifiers are at most "
                        f"{naming.REDSHIFT_IDENTIFIER_MAX}", "shorten the product, table or classification names")
