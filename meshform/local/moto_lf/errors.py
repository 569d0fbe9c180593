"""Lake Formation error codes, as the API reference lists them per operation
(https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html#API_GrantPermissions_Errors)."""
from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class LakeFormationError(JsonRESTError):
    code = 400
    error_code = "InternalServiceException"

    def __init__(self, message: str):
        super().__init__(self.error_code, message)


class InvalidInput(LakeFormationError):
    error_code = "InvalidInputException"


class EntityNotFound(LakeFormationError):
    error_code = "EntityNotFoundException"


class AlreadyExists(LakeFormationError):
    error_code = "AlreadyExistsException"


class AccessDenied(LakeFormationError):
    error_code = "AccessDeniedException"
