"""AWS Budgets as the provider needs it and as strict as AWS for the notifications the mesh relies on, for moto 5.2.5,
which has no DescribeSubscribersForNotification, UpdateBudget or tagging, and accepts any notification.

Added (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Operations_AWS_Budgets.html):
- DescribeSubscribersForNotification: the subscribers of one notification of a budget (NotFoundException when the
  budget or the notification does not exist);
- UpdateBudget: replaces the budget's definition, keeping its notifications (NotFoundException when missing);
- TagResource / UntagResource / ListTagsForResource on `arn:aws:budgets::<account>:budget/<name>`, and the
  `ResourceTags` of CreateBudget.

Validation (InvalidParameterException, the API's error for out-of-range input):
- CreateBudget's NotificationsWithSubscribers holds at most 10 notifications
  (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateBudget.html); a notification
  has 1 to 11 subscribers, of which at most 10 EMAIL and at most 1 SNS
  (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html,
  https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Subscriber.html);
- an SNS subscriber's address is an SNS topic ARN, an EMAIL subscriber's an e-mail address;
- Threshold is 0 to 1,000,000,000 (API_budgets_Notification.html); NotificationType ACTUAL or FORECASTED,
  ComparisonOperator GREATER_THAN, LESS_THAN or EQUAL_TO, ThresholdType PERCENTAGE or ABSOLUTE_VALUE;
- the same notification (type, operator, threshold, threshold type) twice in one budget is a
  DuplicateRecordException.
"""
from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import JsonRESTError

MAX_NOTIFICATIONS = 10
MAX_EMAIL_SUBSCRIBERS = 10
MAX_SNS_SUBSCRIBERS = 1
MAX_THRESHOLD = 1_000_000_000
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidParameterException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidParameterException", message)


def _key(notification: dict[str, Any]) -> tuple:
    return (notification.get("NotificationType"), notification.get("ComparisonOperator"),
            float(notification.get("Threshold", 0)), notification.get("ThresholdType", "PERCENTAGE"))


def validate_notification(notification: dict[str, Any], subscribers: list[dict[str, Any]]) -> None:
    if notification.get("NotificationType") not in ("ACTUAL", "FORECASTED"):
        raise InvalidParameterException(f"NotificationType {notification.get('NotificationType')!r} is not valid")
    if notification.get("ComparisonOperator") not in ("GREATER_THAN", "LESS_THAN", "EQUAL_TO"):
        raise InvalidParameterException(f"ComparisonOperator {notification.get('ComparisonOperator')!r} is not valid")
    if notification.get("ThresholdType", "PERCENTAGE") not in ("PERCENTAGE", "ABSOLUTE_VALUE"):
        raise InvalidParameterException(f"ThresholdType {notification.get('ThresholdType')!r} is not valid")
    threshold = float(notification.get("Threshold", -1))
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise InvalidParameterException(f"Threshold {threshold:g} is outside 0 - {MAX_THRESHOLD}")
    if not 1 <= len(subscribers) <= MAX_EMAIL_SUBSCRIBERS + MAX_SNS_SUBSCRIBERS:
        raise InvalidParameterException(f"a notification has 1 to {MAX_EMAIL_SUBSCRIBERS + MAX_SNS_SUBSCRIBERS} "
                                        f"subscribers, not {len(subscribers)}")
    emails = [s for s in subscribers if s.get("SubscriptionType") == "EMAIL"]
    topics = [s for s in subscribers if s.get("SubscriptionType") == "SNS"]
    if len(emails) + len(topics) != len(subscribers):
        raise InvalidParameterException("SubscriptionType must be EMAIL or SNS")
    if len(emails) > MAX_EMAIL_SUBSCRIBERS or len(topics) > MAX_SNS_SUBSCRIBERS:
        raise InvalidParameterException(f"a notification has at most {MAX_EMAIL_SUBSCRIBERS} e-mail subscribers and "
                                        f"{MAX_SNS_SUBSCRIBERS} SNS topic")
    for subscriber in topics:
        if not SNS_TOPIC_ARN.fullmatch(subscriber.get("Address", "")):
            raise InvalidParameterException(f"SNS subscriber {subscriber.get('Address')!r} is not a topic ARN")
    for subscriber in emails:
        if not EMAIL.fullmatch(subscriber.get("Address", "")):
            raise InvalidParameterException(f"EMAIL subscriber {subscriber.get('Address')!r} is not an address")


def install() -> None:
    from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
    from moto.budgets.models import Budget, BudgetsBackend
    from moto.budgets.responses import BudgetsResponse

    original_create = BudgetsBackend.create_budget
    if getattr(original_create, "__meshform__", False):
        return
    original_create_notification = BudgetsBackend.create_notification

    def _budget(backend: Any, account: str, name: str) -> Budget:
        if name not in backend.budgets[account]:
            raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
        return backend.budgets[account][name]

    def create_budget(self: Any, account_id: str, budget: dict[str, Any], notifications: list[dict[str, Any]]):
        if len(notifications) > MAX_NOTIFICATIONS:
            raise InvalidParameterException(f"a budget has at most {MAX_NOTIFICATIONS} notifications")
        seen = set()
        for item in notifications:
            validate_notification(item["Notification"], item.get("Subscribers", []))
            if _key(item["Notification"]) in seen:
                raise DuplicateRecordException(record_type="notification", record_name=str(_key(item["Notification"])))
            seen.add(_key(item["Notification"]))
        return original_create(self, account_id, budget, notifications)

    def create_notification(self: Any, account_id: str, budget_name: str, notification: dict[str, Any],
                            subscribers: list[dict[str, Any]]):
        budget = _budget(self, account_id, budget_name)
        validate_notification(notification, subscribers)
        if len(budget.notifications) >= MAX_NOTIFICATIONS:
            raise InvalidParameterException(f"a budget has at most {MAX_NOTIFICATIONS} notifications")
        if any(_key(n.details) == _key(notification) for n in budget.notifications):
            raise DuplicateRecordException(record_type="notification", record_name=str(_key(notification)))
        return original_create_notification(self, account_id, budget_name, notification, subscribers)

    def create_budget_response(self: Any) -> str:
        account_id = self._get_param("AccountId")
        budget = self._get_param("Budget")
        self.backend.create_budget(account_id=account_id, budget=budget,
                                   notifications=self._get_param("NotificationsWithSubscribers", []))
        stored = _budget(self.backend, account_id, budget["BudgetName"])
        stored.resource_tags = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []}
        return json.dumps({})

    def describe_subscribers_for_notification(self: Any) -> str:
        budget = _budget(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"))
        wanted = self._get_param("Notification")
        match = next((n for n in budget.notifications if _key(n.details) == _key(wanted)), None)
        if match is None:
            raise NotFoundException("Unable to get subscribers - the notification doesn't exist.")
        return json.dumps({"Subscribers": match.subscribers, "NextToken": None})

    def update_budget(self: Any) -> str:
        account_id = self._get_param("AccountId")
        new = self._get_param("NewBudget")
        budget = _budget(self.backend, account_id, new["BudgetName"])
        budget.budget = {**budget.budget, **new}
        return json.dumps({})

    def _arn_parts(arn: str) -> tuple[str, str]:
        match = re.fullmatch(r"arn:aws[a-z-]*:budgets::([0-9]{12}):budget/(.+)", arn or "")
        if not match:
            raise InvalidParameterException(f"{arn!r} is not a budget ARN")
        return match.group(1), match.group(2)

    # Tags live on the budget model (`resource_tags`), so deleting the budget deletes them.
    def _tags(budget: Budget) -> dict[str, str]:
        if not hasattr(budget, "resource_tags"):
            budget.resource_tags = {}
        return budget.resource_tags

    def tag_resource(self: Any) -> str:
        budget = _budget(self.backend, *_arn_parts(self._get_param("ResourceARN")))
        _tags(budget).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
        return json.dumps({})

    def untag_resource(self: Any) -> str:
        budget = _budget(self.backend, *_arn_parts(self._get_param("ResourceARN")))
        for key in self._get_param("ResourceTagKeys") or []:
            _tags(budget).pop(key, None)
        return json.dumps({})

    def list_tags_for_resource(self: Any) -> str:
        budget = _budget(self.backend, *_arn_parts(self._get_param("ResourceARN")))
        return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(_tags(budget).items())]})

    create_budget.__meshform__ = True  # type: ignore[attr-defined]
    BudgetsBackend.create_budget = create_budget
    BudgetsBackend.create_notification = create_notification
    BudgetsResponse.create_budget = create_budget_response
    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification
    BudgetsResponse.update_budget = update_budget
    BudgetsResponse.tag_resource = tag_resource
    BudgetsResponse.untag_resource = untag_resource
    BudgetsResponse.list_tags_for_resource = list_tags_for_resource
