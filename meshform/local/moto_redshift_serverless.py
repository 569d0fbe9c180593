"""Amazon Redshift Serverless for moto 5.2.5, which has no such service: namespaces, workgroups and their tags
(JSON protocol, target prefix `RedshiftServerless.`), everything aws_redshiftserverless_namespace and
aws_redshiftserverless_workgroup call (hashicorp/terraform-provider-aws internal/service/redshiftserverless/).
Each namespace holds a SQL catalog (meshform/local/redshift_sql/) that the Data API executes against.

AWS's rules modelled, with their documentation:
- Names: namespaceName and workgroupName 3-64 characters of [a-z0-9-]
  (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html,
  API_CreateWorkgroup.html); unique per account and region (ConflictException).
- adminUsername: starts with a letter, at most 128 characters of letters, digits, `_+.@-`; adminUserPassword 8-64
  printable ASCII characters with an upper-case letter, a lower-case letter and a digit, none of ' " \\ / @ or
  space (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-workgroup-namespace.html, same password
  rules as provisioned: https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
- manageAdminPassword: Redshift stores the admin credentials in a Secrets Manager secret of the namespace's
  account (encrypted with adminPasswordSecretKmsKeyId when given) and returns its ARN as adminPasswordSecretArn;
  it cannot be combined with adminUserPassword, and adminPasswordSecretKmsKeyId needs it
  (https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html). Turning it off or
  deleting the namespace deletes the secret.
- kmsKeyId: a KMS key of the account (the namespace reports AWS_OWNED_KMS_KEY without one); logExports from
  useractivitylog, userlog, connectionlog; defaultIamRoleArn must be one of iamRoles; IAM role ARNs well formed.
- Workgroups: the namespace must exist; one workgroup per namespace
  (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-workgroup-namespace.html); baseCapacity 8-1024 RPUs
  in steps of 8 (default 128) and maxCapacity a multiple of 8 not below it
  (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html); port 5431-5455 or 8191-8215
  (API_CreateWorkgroup.html); subnets and security groups must exist in EC2 (default VPC's when omitted);
  configParameters keys from the documented list, answered merged over the defaults.
- A namespace with a workgroup cannot be deleted (ConflictException); Get/Update/Delete of what does not exist:
  ResourceNotFoundException; tags (at most 200, https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_TagResource.html)
  on unknown ARNs: ResourceNotFoundException.
Error messages are meshform's wording (AWS documents the codes).
"""
from __future__ import annotations

import json
import re
import secrets
import sys
import types
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from meshform.local.redshift_sql import NamespaceCatalog

NAME = re.compile(r"^[a-z0-9-]{3,64}$")
ADMIN_USER = re.compile(r"^[a-zA-Z][a-zA-Z0-9_+.@-]{0,127}$")
LOG_EXPORTS = {"useractivitylog", "userlog", "connectionlog"}
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
# What GetWorkgroup reports in configParameters: every parameter, the ones set merged over these defaults. AWS
# returns the defaults too, which is why a configuration must list all nine to re-plan clean
# (hashicorp/terraform-provider-aws#33916: "persistent differences when AWS default values are returned in the
# config_parameters array"; its acceptance test expects config_parameter.# = 9). New workgroups require TLS by
# default (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-connecting.html, "require_ssl").
CONFIG_DEFAULTS = {
    "auto_mv": "true", "datestyle": "ISO, MDY", "enable_case_sensitive_identifier": "false",
    "enable_user_activity_logging": "true", "query_group": "default", "search_path": "$user, public",
    "max_query_execution_time": "14400", "require_ssl": "true", "use_fips_ssl": "false",
}
# query monitoring metrics are also accepted as keys (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-workgroup-query-monitoring-rules.html)
QMR_KEYS = {"max_scan_row_count", "max_query_cpu_time", "max_query_blocks_read", "max_query_cpu_usage_percent",
            "max_query_temp_blocks_to_disk", "max_join_row_count", "max_nested_loop_join_row_count",
            "max_query_queue_time", "max_return_row_count"}


class ServerlessError(JsonRESTError):
    code = 400

    def __init__(self, error: str, message: str):
        super().__init__(error, message)


def validation(message: str) -> ServerlessError:
    return ServerlessError("ValidationException", message)


def _iso(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_password(password: str, field_name: str = "adminUserPassword") -> None:
    if not (8 <= len(password) <= 64 and re.search(r"[A-Z]", password) and re.search(r"[a-z]", password)
            and re.search(r"\d", password)) or re.search(r"['\"\\/@ ]", password) or not password.isprintable():
        raise validation(f"{field_name} must be 8-64 printable ASCII characters with at least one upper-case "
                         "letter, one lower-case letter and one digit, and none of ' \" \\ / @ or space.")


@dataclass
class Namespace:
    name: str
    account: str
    region: str
    namespace_id: str
    created: datetime
    admin_username: str | None = None
    admin_password: str | None = None
    db_name: str = "dev"
    kms_key_id: str = "AWS_OWNED_KMS_KEY"
    default_iam_role: str | None = None
    iam_roles: list[str] = field(default_factory=list)
    log_exports: list[str] = field(default_factory=list)
    secret_arn: str | None = None
    secret_kms_key_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "AVAILABLE"
    catalog: NamespaceCatalog | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account}:namespace/{self.namespace_id}"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "namespaceArn": self.arn, "namespaceId": self.namespace_id, "namespaceName": self.name,
            "dbName": self.db_name, "kmsKeyId": self.kms_key_id, "logExports": self.log_exports,
            # the API reports roles in this form; the provider parses it (flattenNamespaceIAMRoles)
            "iamRoles": [f"IamRole(applyStatus=in-sync, iamRoleArn={arn})" for arn in self.iam_roles],
            "creationDate": _iso(self.created), "status": self.status,
        }
        if self.admin_username:
            out["adminUsername"] = self.admin_username
        if self.default_iam_role:
            out["defaultIamRoleArn"] = self.default_iam_role
        if self.secret_arn:
            out["adminPasswordSecretArn"] = self.secret_arn
            if self.secret_kms_key_id:
                out["adminPasswordSecretKmsKeyId"] = self.secret_kms_key_id
        return out


@dataclass
class Workgroup:
    name: str
    namespace: str
    account: str
    region: str
    workgroup_id: str
    created: datetime
    base_capacity: int = 128
    max_capacity: int | None = None
    port: int = 5439
    publicly_accessible: bool = False
    enhanced_vpc_routing: bool = False
    config: dict[str, str] = field(default_factory=lambda: dict(CONFIG_DEFAULTS))
    subnet_ids: list[str] = field(default_factory=list)
    security_group_ids: list[str] = field(default_factory=list)
    vpc_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "AVAILABLE"

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account}:workgroup/{self.workgroup_id}"

    def describe(self) -> dict[str, Any]:
        address = f"{self.name}.{self.account}.{self.region}.redshift-serverless.amazonaws.com"
        out: dict[str, Any] = {
            "workgroupArn": self.arn, "workgroupId": self.workgroup_id, "workgroupName": self.name,
            "namespaceName": self.namespace, "baseCapacity": self.base_capacity, "port": self.port,
            "publiclyAccessible": self.publicly_accessible, "enhancedVpcRouting": self.enhanced_vpc_routing,
            "configParameters": [{"parameterKey": k, "parameterValue": v} for k, v in sorted(self.config.items())],
            "subnetIds": self.subnet_ids, "securityGroupIds": self.security_group_ids,
            "creationDate": _iso(self.created), "status": self.status,
            "endpoint": {"address": address, "port": self.port, "vpcEndpoints": [{
                "vpcEndpointId": f"vpce-{self.workgroup_id.replace('-', '')[:17]}", "vpcId": self.vpc_id,
                "networkInterfaces": [{"networkInterfaceId": f"eni-{self.workgroup_id.replace('-', '')[i:i + 17]}",
                                       "subnetId": subnet, "privateIpAddress": f"10.0.{i}.10",
                                       "availabilityZone": None} for i, subnet in enumerate(self.subnet_ids)]}]},
            "workgroupVersion": "1.0.100000", "patchVersion": "patch 190",
        }
        if self.max_capacity is not None:
            out["maxCapacity"] = self.max_capacity
        return out


class RedshiftServerlessBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.namespaces: dict[str, Namespace] = {}
        self.workgroups: dict[str, Workgroup] = {}

    @property
    def _url_module(self) -> Any:
        return types.SimpleNamespace(url_bases=[r"https?://redshift-serverless\.(.+)\.amazonaws\.com"],
                                     url_paths={"{0}/$": RedshiftServerlessResponse.dispatch})

    # ---- helpers
    def namespace(self, name: str | None) -> Namespace:
        if not name or name not in self.namespaces:
            raise ServerlessError("ResourceNotFoundException", f"Namespace {name} does not exist.")
        return self.namespaces[name]

    def workgroup(self, name: str | None) -> Workgroup:
        if not name or name not in self.workgroups:
            raise ServerlessError("ResourceNotFoundException", f"Workgroup {name} does not exist.")
        return self.workgroups[name]

    def workgroup_of(self, namespace: str) -> Workgroup | None:
        return next((w for w in self.workgroups.values() if w.namespace == namespace), None)

    def _kms_key(self, key_id: str, field_name: str) -> str:
        from moto.kms.models import kms_backends

        kms = kms_backends[self.account_id][self.region_name]
        try:
            key = kms.describe_key(key_id)
        except Exception:
            raise validation(f"{field_name} {key_id} is not a KMS key of account {self.account_id} in "
                             f"{self.region_name}.") from None
        return key.arn

    def _roles(self, params: dict, ns: Namespace | None) -> tuple[list[str], str | None]:
        roles = params.get("iamRoles", ns.iam_roles if ns else [])
        for arn in roles:
            if not ROLE_ARN.match(arn):
                raise validation(f"IAM role ARN {arn} is not valid.")
        default = params.get("defaultIamRoleArn", ns.default_iam_role if ns else None) or None
        if default is not None and default not in roles:
            raise validation(f"defaultIamRoleArn {default} must be one of the namespace's iamRoles.")
        return list(roles), default

    def _log_exports(self, values: list[str]) -> list[str]:
        bad = [v for v in values if v not in LOG_EXPORTS]
        if bad:
            raise validation(f"logExports value {bad[0]} is not valid: use {', '.join(sorted(LOG_EXPORTS))}.")
        return list(values)

    def _tags(self, tags: list[dict]) -> dict[str, str]:
        if len(tags) > 200:
            raise ServerlessError("TooManyTagsException", "A resource can have at most 200 tags.")
        return {t["key"]: t["value"] for t in tags}

    def _create_secret(self, ns: Namespace, kms_key: str | None) -> None:
        from moto.secretsmanager.models import secretsmanager_backends

        sm = secretsmanager_backends[self.account_id][self.region_name]
        password = "A1a" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
        out = json.loads(sm.create_secret(
            name=f"redshift!{ns.name}-{ns.admin_username}", description=f"Admin credentials of Redshift "
            f"Serverless namespace {ns.name}", secret_string=json.dumps({"username": ns.admin_username,
                                                                        "password": password}),
            secret_binary=None, tags=[{"Key": "aws:redshift:namespace:arn", "Value": ns.arn}], kms_key_id=kms_key,
            client_request_token=None, replica_regions=[], force_overwrite=False))
        ns.secret_arn, ns.secret_kms_key_id, ns.admin_password = out["ARN"], kms_key, password

    def _delete_secret(self, ns: Namespace) -> None:
        from moto.secretsmanager.models import secretsmanager_backends

        if ns.secret_arn:
            secretsmanager_backends[self.account_id][self.region_name].delete_secret(
                ns.secret_arn, recovery_window_in_days=None, force_delete_without_recovery=True)
        ns.secret_arn = ns.secret_kms_key_id = None

    def _admin(self, ns: Namespace, params: dict, creating: bool) -> None:
        manage = params.get("manageAdminPassword")
        password, user = params.get("adminUserPassword"), params.get("adminUsername")
        kms_key = params.get("adminPasswordSecretKmsKeyId")
        if manage and password:
            raise validation("You can't use adminUserPassword if manageAdminPassword is true.")
        if kms_key and not (manage or (manage is None and ns.secret_arn)):
            raise validation("You can't use adminPasswordSecretKmsKeyId if manageAdminPassword is false.")
        if user is not None and not ADMIN_USER.match(user):
            raise validation("adminUsername must start with a letter and contain at most 128 letters, digits "
                             "and _+.@- characters.")
        if password is not None:
            check_password(password)
        if not creating and (user is None) != (password is None) and not manage:
            raise validation("adminUsername and adminUserPassword must be updated together.")
        if kms_key:
            kms_key = self._kms_key(kms_key, "adminPasswordSecretKmsKeyId")
        if user is not None:
            ns.admin_username = user
        if manage:
            ns.admin_username = ns.admin_username or "admin"
            if ns.secret_arn and (kms_key or ns.secret_kms_key_id) != ns.secret_kms_key_id or user is not None:
                self._delete_secret(ns)
            if not ns.secret_arn:
                self._create_secret(ns, kms_key)
        elif manage is False and ns.secret_arn:
            self._delete_secret(ns)
        if password is not None:
            ns.admin_password = password

    # ---- namespaces
    def create_namespace(self, params: dict) -> dict:
        name = params.get("namespaceName") or ""
        if not NAME.match(name):
            raise validation(f"namespaceName {name!r} must be 3-64 characters of lower-case letters, digits and "
                             "hyphens.")
        if name in self.namespaces:
            raise ServerlessError("ConflictException", f"Namespace {name} already exists.")
        ns = Namespace(name, self.account_id, self.region_name, str(uuid.uuid4()), datetime.now(UTC))
        ns.db_name = params.get("dbName") or "dev"
        if params.get("kmsKeyId"):
            ns.kms_key_id = self._kms_key(params["kmsKeyId"], "kmsKeyId")
        ns.iam_roles, ns.default_iam_role = self._roles(params, None)
        ns.log_exports = self._log_exports(params.get("logExports", []))
        ns.tags = self._tags(params.get("tags", []))
        if params.get("adminUserPassword") and not params.get("adminUsername"):
            raise validation("adminUserPassword needs adminUsername.")
        self._admin(ns, params, creating=True)
        ns.catalog = NamespaceCatalog(ns.namespace_id, ns.arn, self.account_id, self.region_name,
                                      admin_user=(ns.admin_username or "admin").lower())
        ns.catalog.ensure_database(ns.db_name)
        self.namespaces[name] = ns
        return {"namespace": ns.describe()}

    def get_namespace(self, params: dict) -> dict:
        return {"namespace": self.namespace(params.get("namespaceName")).describe()}

    def update_namespace(self, params: dict) -> dict:
        ns = self.namespace(params.get("namespaceName"))
        roles, default = self._roles(params, ns)
        if params.get("kmsKeyId"):
            ns.kms_key_id = self._kms_key(params["kmsKeyId"], "kmsKeyId")
        if "logExports" in params:
            ns.log_exports = self._log_exports(params["logExports"])
        self._admin(ns, params, creating=False)
        ns.iam_roles, ns.default_iam_role = roles, default
        return {"namespace": ns.describe()}

    def delete_namespace(self, params: dict) -> dict:
        ns = self.namespace(params.get("namespaceName"))
        workgroup = self.workgroup_of(ns.name)
        if workgroup is not None:
            raise ServerlessError("ConflictException", f"Namespace {ns.name} has workgroup {workgroup.name}: "
                                  "delete the workgroup first.")
        self._delete_secret(ns)
        del self.namespaces[ns.name]
        out = ns.describe()
        out["status"] = "DELETING"
        return {"namespace": out}

    def list_namespaces(self, params: dict) -> dict:
        return {"namespaces": [ns.describe() for ns in sorted(self.namespaces.values(), key=lambda n: n.name)]}

    # ---- workgroups
    def _capacity(self, wg: Workgroup, params: dict) -> None:
        base = params.get("baseCapacity", wg.base_capacity)
        if not isinstance(base, int) or not 8 <= base <= 1024 or base % 8:
            raise validation(f"baseCapacity {base} is not valid: use 8 to 1024 RPUs in steps of 8.")
        maximum = params.get("maxCapacity", wg.max_capacity)
        if maximum is not None and (not isinstance(maximum, int) or maximum % 8 or maximum < base):
            raise validation(f"maxCapacity {maximum} is not valid: use a multiple of 8 not below baseCapacity.")
        port = params.get("port", wg.port)
        if not (5431 <= port <= 5455 or 8191 <= port <= 8215):
            raise validation(f"port {port} is not valid: use 5431-5455 or 8191-8215.")
        wg.base_capacity, wg.max_capacity, wg.port = base, maximum, port

    def _config(self, wg: Workgroup, params: list[dict]) -> None:
        for item in params:
            key, value = item.get("parameterKey"), item.get("parameterValue")
            if key not in CONFIG_DEFAULTS and key not in QMR_KEYS:
                raise validation(f"configParameters key {key} is not valid: use one of "
                                 f"{', '.join(sorted(CONFIG_DEFAULTS))} or a query monitoring metric.")
            if key in ("auto_mv", "enable_case_sensitive_identifier", "enable_user_activity_logging",
                       "require_ssl", "use_fips_ssl") and str(value).lower() not in ("true", "false"):
                raise validation(f"configParameters {key} must be true or false, not {value}.")
            wg.config[key] = str(value)

    def _network(self, wg: Workgroup, params: dict) -> None:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.account_id][self.region_name]
        if "subnetIds" in params or not wg.subnet_ids:
            wanted = params.get("subnetIds")
            if wanted:
                found = {s.id: s for s in ec2.describe_subnets()}
                missing = [s for s in wanted if s not in found]
                if missing:
                    raise validation(f"Subnet {missing[0]} does not exist.")
                wg.subnet_ids, wg.vpc_id = list(wanted), found[wanted[0]].vpc_id
            else:
                vpc = ec2.get_default_vpc()
                wg.vpc_id = vpc.id if vpc else None
                wg.subnet_ids = sorted(s.id for s in ec2.describe_subnets() if vpc and s.vpc_id == vpc.id)
        if "securityGroupIds" in params or not wg.security_group_ids:
            wanted = params.get("securityGroupIds")
            groups = {g.id: g for g in ec2.describe_security_groups()}
            if wanted:
                missing = [g for g in wanted if g not in groups]
                if missing:
                    raise validation(f"Security group {missing[0]} does not exist.")
                wg.security_group_ids = list(wanted)
            else:
                wg.security_group_ids = sorted(g.id for g in groups.values()
                                               if g.name == "default" and g.vpc_id == wg.vpc_id)

    def create_workgroup(self, params: dict) -> dict:
        name = params.get("workgroupName") or ""
        if not NAME.match(name):
            raise validation(f"workgroupName {name!r} must be 3-64 characters of lower-case letters, digits and "
                             "hyphens.")
        if name in self.workgroups:
            raise ServerlessError("ConflictException", f"Workgroup {name} already exists.")
        ns = self.namespace(params.get("namespaceName"))
        other = self.workgroup_of(ns.name)
        if other is not None:
            raise ServerlessError("ConflictException", f"Namespace {ns.name} already has workgroup {other.name}: a "
                                  "namespace has one workgroup.")
        wg = Workgroup(name, ns.name, self.account_id, self.region_name, str(uuid.uuid4()), datetime.now(UTC))
        self._capacity(wg, params)
        self._config(wg, params.get("configParameters", []))
        self._network(wg, params)
        wg.publicly_accessible = bool(params.get("publiclyAccessible", False))
        wg.enhanced_vpc_routing = bool(params.get("enhancedVpcRouting", False))
        wg.tags = self._tags(params.get("tags", []))
        self.workgroups[name] = wg
        out = wg.describe()
        out["status"] = "CREATING"      # AVAILABLE on the next GetWorkgroup (the provider waits for it)
        return {"workgroup": out}

    def get_workgroup(self, params: dict) -> dict:
        return {"workgroup": self.workgroup(params.get("workgroupName")).describe()}

    def update_workgroup(self, params: dict) -> dict:
        wg = self.workgroup(params.get("workgroupName"))
        probe = Workgroup(wg.name, wg.namespace, wg.account, wg.region, wg.workgroup_id, wg.created,
                          wg.base_capacity, wg.max_capacity, wg.port, config=dict(wg.config),
                          subnet_ids=list(wg.subnet_ids), security_group_ids=list(wg.security_group_ids),
                          vpc_id=wg.vpc_id)
        self._capacity(probe, params)
        self._config(probe, params.get("configParameters", []))
        self._network(probe, params)
        # all checks passed: apply (an update that fails changes nothing)
        wg.base_capacity, wg.max_capacity, wg.port, wg.config = (probe.base_capacity, probe.max_capacity,
                                                                 probe.port, probe.config)
        wg.subnet_ids, wg.security_group_ids, wg.vpc_id = probe.subnet_ids, probe.security_group_ids, probe.vpc_id
        if "publiclyAccessible" in params:
            wg.publicly_accessible = bool(params["publiclyAccessible"])
        if "enhancedVpcRouting" in params:
            wg.enhanced_vpc_routing = bool(params["enhancedVpcRouting"])
        return {"workgroup": wg.describe()}

    def delete_workgroup(self, params: dict) -> dict:
        wg = self.workgroup(params.get("workgroupName"))
        del self.workgroups[wg.name]
        out = wg.describe()
        out["status"] = "DELETING"
        return {"workgroup": out}

    def list_workgroups(self, params: dict) -> dict:
        wgs = [w for w in self.workgroups.values() if params.get("ownerAccount") in (None, self.account_id)]
        return {"workgroups": [w.describe() for w in sorted(wgs, key=lambda w: w.name)]}

    # ---- tags
    def _tagged(self, arn: str | None) -> Namespace | Workgroup:
        items: list[Namespace | Workgroup] = [*self.namespaces.values(), *self.workgroups.values()]
        for item in items:
            if item.arn == arn:
                return item
        raise ServerlessError("ResourceNotFoundException", f"Resource {arn} does not exist.")

    def tag_resource(self, params: dict) -> dict:
        item = self._tagged(params.get("resourceArn"))
        merged = {**item.tags, **{t["key"]: t["value"] for t in params.get("tags", [])}}
        if len(merged) > 200:
            raise ServerlessError("TooManyTagsException", "A resource can have at most 200 tags.")
        item.tags = merged
        return {}

    def untag_resource(self, params: dict) -> dict:
        item = self._tagged(params.get("resourceArn"))
        item.tags = {k: v for k, v in item.tags.items() if k not in params.get("tagKeys", [])}
        return {}

    def list_tags_for_resource(self, params: dict) -> dict:
        item = self._tagged(params.get("resourceArn"))
        return {"tags": [{"key": k, "value": v} for k, v in sorted(item.tags.items())]}


ACTIONS = ("create_namespace", "get_namespace", "update_namespace", "delete_namespace", "list_namespaces",
           "create_workgroup", "get_workgroup", "update_workgroup", "delete_workgroup", "list_workgroups",
           "tag_resource", "untag_resource", "list_tags_for_resource")


class RedshiftServerlessResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="redshift-serverless")

    @property
    def backend(self) -> RedshiftServerlessBackend:
        return redshiftserverless_backends[self.current_account][self.region]

    def _call(self, action: str) -> str:
        params = json.loads(self.body or "{}")
        return json.dumps(getattr(self.backend, action)(params))


def _handler(action: str) -> Any:
    def handle(self: RedshiftServerlessResponse) -> str:
        return self._call(action)
    handle.__name__ = action
    return handle


for _action in ACTIONS:
    setattr(RedshiftServerlessResponse, _action, _handler(_action))

redshiftserverless_backends = BackendDict(RedshiftServerlessBackend, "redshift-serverless")


def install() -> None:
    """Make `redshift-serverless` a moto service: a module moto's backend lookup imports, and its URL pattern."""
    from moto import backend_index

    module = types.ModuleType("moto.redshiftserverless")
    module.redshiftserverless_backends = redshiftserverless_backends  # type: ignore[attr-defined]
    sys.modules["moto.redshiftserverless"] = module
    pattern = re.compile(r"https?://redshift-serverless\.(.+)\.amazonaws\.com")
    if not any(name == "redshiftserverless" for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append(("redshiftserverless", pattern))
