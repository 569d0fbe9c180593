"""Provisioned Redshift clusters for moto 5.2.5: what aws_redshift_cluster and aws_redshift_parameter_group send and
read back that moto dropped or lacked.

- ManageMasterPassword: Redshift keeps the admin credentials in a Secrets Manager secret of the cluster's account
  (encrypted with MasterPasswordSecretKmsKeyId when given) and reports MasterPasswordSecretArn /
  MasterPasswordSecretKmsKeyId; MasterUserPassword cannot be combined with it, MasterPasswordSecretKmsKeyId needs it
  (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html,
  https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html); turning it off or
  deleting the cluster deletes the secret. Without either password the request is InvalidParameterValue.
- DefaultIamRoleArn is kept and must be one of IamRoles (API_CreateCluster.html, API_ModifyClusterIamRoles.html).
- ModifyClusterParameterGroup (moto had none): the parameters must be Redshift's (unknown names are
  InvalidParameterValue), DescribeClusterParameters reports them with Source "user" and filters by Source
  (https://docs.aws.amazon.com/redshift/latest/APIReference/API_ModifyClusterParameterGroup.html,
  API_DescribeClusterParameters.html).
- ClusterAvailabilityStatus, AvailabilityZoneRelocationStatus and MultiAZ (moto reported none; the provider's
  waiters poll the first two), MaintenanceTrackName and ManualSnapshotRetentionPeriod defaults, the maintenance
  window in lower case: what an apply and a clean re-plan of aws_redshift_cluster need.
- The cluster's namespace (ClusterNamespaceArn) and its SQL catalog: meshform/local/moto_redshift_datashares.py.
"""
from __future__ import annotations

import json
import secrets
from typing import Any

from moto.core.responses import ActionResult


def _fault(code: str, message: str) -> Exception:
    from moto.redshift.exceptions import RedshiftClientError

    return RedshiftClientError(code, message)


def _kms_arn(account: str, region: str, key_id: str) -> str:
    from moto.kms.models import kms_backends

    try:
        return kms_backends[account][region].describe_key(key_id).arn
    except Exception:
        raise _fault("InvalidParameterValue", f"MasterPasswordSecretKmsKeyId {key_id} is not a KMS key of account "
                     f"{account} in {region}.") from None


def _create_secret(cluster: Any, kms_key: str | None) -> None:
    from moto.secretsmanager.models import secretsmanager_backends

    password = "A1a" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
    sm = secretsmanager_backends[cluster.account_id][cluster.region]
    out = json.loads(sm.create_secret(
        name=f"redshift!{cluster.cluster_identifier}-{cluster.master_username}",
        description=f"Admin credentials of Redshift cluster {cluster.cluster_identifier}",
        secret_string=json.dumps({"username": cluster.master_username, "password": password}), secret_binary=None,
        tags=[{"Key": "aws:redshift:cluster:arn", "Value": cluster.arn}], kms_key_id=kms_key,
        client_request_token=None, replica_regions=[], force_overwrite=False))
    cluster.master_password_secret_arn, cluster.master_password_secret_kms_key_id = out["ARN"], kms_key
    cluster.master_user_password = password


def _delete_secret(cluster: Any) -> None:
    from moto.secretsmanager.models import secretsmanager_backends

    if cluster.master_password_secret_arn:
        secretsmanager_backends[cluster.account_id][cluster.region].delete_secret(
            cluster.master_password_secret_arn, recovery_window_in_days=None, force_delete_without_recovery=True)
    cluster.master_password_secret_arn = cluster.master_password_secret_kms_key_id = None


def _default_role(self: Any, roles: list[str]) -> str | None:
    default = self._get_param("DefaultIamRoleArn")
    if default and default not in roles:
        raise _fault("InvalidParameterValue", f"DefaultIamRoleArn {default} must be one of the cluster's IamRoles.")
    return default


def _wrap_create(original: Any) -> Any:
    def create_cluster(self: Any) -> ActionResult:
        manage = self._get_bool_param("ManageMasterPassword", False)
        password, kms_key = self._get_param("MasterUserPassword"), self._get_param("MasterPasswordSecretKmsKeyId")
        if manage and password:
            raise _fault("InvalidParameterCombination", "You can't use MasterUserPassword if ManageMasterPassword is "
                         "true.")
        if kms_key and not manage:
            raise _fault("InvalidParameterCombination", "You can only use MasterPasswordSecretKmsKeyId if "
                         "ManageMasterPassword is true.")
        if not manage and not password:
            raise _fault("InvalidParameterValue", "Specify MasterUserPassword or ManageMasterPassword.")
        default = _default_role(self, self._get_param("IamRoles", []))
        kms_arn = _kms_arn(self.current_account, self.region, kms_key) if kms_key else None
        result = original(self)
        cluster = self.redshift_backend.clusters[self._get_param("ClusterIdentifier")]
        cluster.default_iam_role_arn = default
        # AWS answers the window in lower case (API_Cluster.html examples; moto kept "Mon:03:00-Mon:03:30")
        cluster.preferred_maintenance_window = cluster.preferred_maintenance_window.lower()
        if manage:
            _create_secret(cluster, kms_arn)
        return result
    create_cluster.__name__ = "create_cluster"
    return create_cluster


def _wrap_modify(original: Any) -> Any:
    def modify_cluster(self: Any) -> ActionResult:
        cluster = self.redshift_backend.clusters.get(self._get_param("ClusterIdentifier"))
        manage = self._get_param("ManageMasterPassword")
        if cluster is not None:
            if manage in (True, "true") and self._get_param("MasterUserPassword"):
                raise _fault("InvalidParameterCombination", "You can't use MasterUserPassword if "
                             "ManageMasterPassword is true.")
            roles = self._get_param("IamRoles") or cluster.iam_roles_arn
            if self._get_param("DefaultIamRoleArn") is not None:
                cluster.default_iam_role_arn = _default_role(self, roles) or None
        result = original(self)
        if cluster is not None and manage is not None:
            kms_key = self._get_param("MasterPasswordSecretKmsKeyId")
            if manage in (True, "true") and not cluster.master_password_secret_arn:
                _create_secret(cluster, _kms_arn(self.current_account, self.region, kms_key) if kms_key else None)
            elif manage in (False, "false"):
                _delete_secret(cluster)
        return result
    modify_cluster.__name__ = "modify_cluster"
    return modify_cluster


def _wrap_delete(original: Any) -> Any:
    def delete_cluster(self: Any) -> ActionResult:
        cluster = self.redshift_backend.clusters.get(self._get_param("ClusterIdentifier"))
        result = original(self)
        if cluster is not None:
            _delete_secret(cluster)
        return result
    delete_cluster.__name__ = "delete_cluster"
    return delete_cluster


def _group(self: Any, name: str | None) -> Any:
    from moto.redshift.exceptions import ClusterParameterGroupNotFoundError

    group = self.redshift_backend.parameter_groups.get(name)
    if group is None:
        raise ClusterParameterGroupNotFoundError(name or "")
    if not hasattr(group, "meshform_parameters"):
        group.meshform_parameters = {}
    return group


def modify_cluster_parameter_group(self: Any) -> ActionResult:
    group = _group(self, self._get_param("ParameterGroupName"))
    known = self.redshift_backend.default_params
    updates = {}
    for parameter in self._get_param("Parameters", []):
        name, value = parameter.get("ParameterName"), parameter.get("ParameterValue")
        if name not in known:
            raise _fault("InvalidParameterValue", f"Could not find parameter with name: {name}")
        if name in ("require_ssl", "use_fips_ssl", "enable_user_activity_logging", "auto_analyze") and str(
                value).lower() not in ("true", "false"):
            raise _fault("InvalidParameterValue", f"Invalid value for parameter {name}: {value}")
        updates[name] = str(value)
    group.meshform_parameters.update(updates)
    return ActionResult({"ParameterGroupName": group.name,
                         "ParameterGroupStatus": "Your parameter group has been updated. If you changed only dynamic "
                                                 "parameters, associated clusters are being modified now."})


def describe_cluster_parameters(self: Any) -> ActionResult:
    group = _group(self, self._get_param("ParameterGroupName"))
    source = self._get_param("Source")
    out = []
    for name, value in self.redshift_backend.default_params.items():
        user = name in group.meshform_parameters
        if source == "user" and not user or source == "engine-default" and user:
            continue
        out.append({"ParameterName": name, "ParameterValue": group.meshform_parameters.get(name, value),
                    "Description": name, "Source": "user" if user else "engine-default", "DataType": "string",
                    "ApplyType": "static" if name == "require_ssl" else "dynamic", "IsModifiable": True})
    return ActionResult({"Parameters": out})


def _availability(cluster: Any) -> str:
    """ClusterAvailabilityStatus, what the provider's create/update waiters poll (Available | Unavailable |
    Maintenance | Modifying | Failed, https://docs.aws.amazon.com/redshift/latest/APIReference/API_Cluster.html)."""
    return {"available": "Available", "paused": "Unavailable", "modifying": "Modifying"}.get(cluster.status,
                                                                                              "Unavailable")


def install() -> None:
    from moto.redshift.models import Cluster
    from moto.redshift.responses import RedshiftResponse

    for attribute in ("master_password_secret_arn", "master_password_secret_kms_key_id", "default_iam_role_arn"):
        setattr(Cluster, attribute, None)
    Cluster.cluster_availability_status = property(_availability)
    # AWS reports "disabled" unless AZ relocation was turned on (the provider waits for enabled or disabled)
    Cluster.availability_zone_relocation_status = "disabled"
    Cluster.multi_az = "Disabled"
    # AWS's defaults: the "current" maintenance track, manual snapshots kept indefinitely (-1)
    # (https://docs.aws.amazon.com/redshift/latest/APIReference/API_Cluster.html)
    Cluster.maintenance_track_name = "current"
    Cluster.manual_snapshot_retention_period = -1
    if not getattr(RedshiftResponse.create_cluster, "__meshform__", False):
        for name, wrap in (("create_cluster", _wrap_create), ("modify_cluster", _wrap_modify),
                           ("delete_cluster", _wrap_delete)):
            wrapped = wrap(getattr(RedshiftResponse, name))
            wrapped.__meshform__ = True
            setattr(RedshiftResponse, name, wrapped)
    RedshiftResponse.modify_cluster_parameter_group = modify_cluster_parameter_group
    RedshiftResponse.describe_cluster_parameters = describe_cluster_parameters
