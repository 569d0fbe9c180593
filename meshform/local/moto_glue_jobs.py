"""Glue job definitions for moto 5.2.5: it drops `JobRunQueuingEnabled`, `JobMode` and `MaintenanceWindow` from
CreateJob (so GetJob never returns them and Terraform plans a change after every apply) and has no UpdateJob (so
any change to a job, e.g. a pipeline's worker count, fails to apply).

AWS: GetJob returns the job's definition as created (https://docs.aws.amazon.com/glue/latest/webapi/API_GetJob.html,
the Job structure lists JobRunQueuingEnabled, JobMode, MaintenanceWindow); UpdateJob "updates an existing job
definition. The previous job definition is completely overwritten by this information", fields not given are reset,
the name cannot change, an unknown job is EntityNotFoundException
(https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateJob.html). MaxRetries defaults to 0 and GetJob returns it
(SDKs leave a zero out of CreateJob). Tags are not part of the definition (they
stay). Job runs already started keep the definition they started with.
"""
from __future__ import annotations

from typing import Any

# JobUpdate member -> FakeJob attribute (moto's names), for the members moto models.
_UPDATE_FIELDS = {
    "Description": "description", "LogUri": "log_uri", "Role": "role", "ExecutionProperty": "execution_property",
    "Command": "command", "DefaultArguments": "default_arguments",
    "NonOverridableArguments": "non_overridable_arguments", "Connections": "connections",
    "MaxRetries": "max_retries", "AllocatedCapacity": "allocated_capacity", "Timeout": "timeout",
    "MaxCapacity": "max_capacity", "WorkerType": "worker_type", "NumberOfWorkers": "number_of_workers",
    "SecurityConfiguration": "security_configuration", "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version", "CodeGenConfigurationNodes": "code_gen_configuration_nodes",
    "ExecutionClass": "execution_class", "SourceControlDetails": "source_control_details",
}
_EXTRA = ("JobRunQueuingEnabled", "JobMode", "MaintenanceWindow")
_DEFAULTS = {"execution_property": {}, "default_arguments": {}, "execution_class": "STANDARD"}


def install() -> None:
    from moto.glue.models import FakeJob
    from moto.glue.responses import GlueResponse

    original_create = GlueResponse.create_job
    original_as_dict = FakeJob.as_dict
    if getattr(original_create, "__meshform__", False):
        return

    def create_job(self: Any):
        result = original_create(self)
        job = self.glue_backend.get_job(self._get_param("Name"))
        job.meshform_extra = {k: self._get_param(k) for k in _EXTRA if self._get_param(k) is not None}
        return result

    def as_dict(self: Any) -> dict[str, Any]:
        out = {**original_as_dict(self), **getattr(self, "meshform_extra", {})}
        if out.get("MaxRetries") is None:
            out["MaxRetries"] = 0            # AWS's default, returned by GetJob (SDKs omit a zero on CreateJob)
        return out

    def update_job(self: Any):
        from moto.core.responses import ActionResult

        name = self._get_param("JobName")
        update = self._get_param("JobUpdate") or {}
        job = self.glue_backend.get_job(name)        # EntityNotFoundException for an unknown job
        for member, attribute in _UPDATE_FIELDS.items():
            setattr(job, attribute, update.get(member, _DEFAULTS.get(attribute)))
        job.meshform_extra = {k: update[k] for k in _EXTRA if update.get(k) is not None}
        from moto.core.utils import utcnow

        job.last_modified_on = utcnow()
        return ActionResult({"JobName": name})

    create_job.__meshform__ = True  # type: ignore[attr-defined]
    GlueResponse.create_job = create_job
    GlueResponse.update_job = update_job
    FakeJob.as_dict = as_dict
