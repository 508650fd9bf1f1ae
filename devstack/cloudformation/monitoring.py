"""AWS::CloudWatch::Alarm, AWS::SNS::Subscription and AWS::SES::EmailIdentity,
in moto's CloudWatch, SNS and SES."""
from __future__ import annotations

import hashlib
from typing import Any

from moto.cloudwatch.models import (
    CloudWatchBackend,
    Dimension,
    Metric,
    MetricDataQuery,
    MetricStat,
    cloudwatch_backends,
)
from moto.core.exceptions import JsonRESTError
from moto.ses.models import SESBackend, ses_backends
from moto.sns.models import SNSBackend, sns_backends

from devstack.cloudformation.base import StackResource, Where


def _cloudwatch(where: Where) -> CloudWatchBackend:
    return cloudwatch_backends[where.account_id][where.region]


def _metric_queries(metrics: list[dict[str, Any]] | None) -> list[MetricDataQuery] | None:
    """The template's Metrics, as moto's PutMetricAlarm reads them."""
    if not metrics:
        return None
    queries = []
    for metric in metrics:
        stat = metric.get("MetricStat")
        metric_stat = None
        if stat:
            dimensions = [Dimension(name=d["Name"], value=d["Value"])
                          for d in stat["Metric"].get("Dimensions", [])]
            metric_stat = MetricStat(
                metric=Metric(metric_name=stat["Metric"]["MetricName"],
                              namespace=stat["Metric"]["Namespace"], dimensions=dimensions),
                period=stat.get("Period"), stat=stat.get("Stat"), unit=stat.get("Unit"))
        queries.append(MetricDataQuery(
            query_id=metric["Id"], label=metric.get("Label"),  # type: ignore[arg-type]
            period=metric.get("Period"),  # type: ignore[arg-type]
            return_data=metric.get("ReturnData"),  # type: ignore[arg-type]
            expression=metric.get("Expression"), metric_stat=metric_stat))
    return queries


def _put_alarm(where: Where, name: str, properties: dict[str, Any]) -> str:
    alarm = _cloudwatch(where).put_metric_alarm(
        name=name,
        namespace=properties.get("Namespace"),  # type: ignore[arg-type]
        metric_name=properties.get("MetricName"),  # type: ignore[arg-type]
        metric_data_queries=_metric_queries(properties.get("Metrics")),
        comparison_operator=properties["ComparisonOperator"],
        evaluation_periods=properties["EvaluationPeriods"],
        datapoints_to_alarm=properties.get("DatapointsToAlarm"),
        period=properties.get("Period"),  # type: ignore[arg-type]
        threshold=properties.get("Threshold"),  # type: ignore[arg-type]
        statistic=properties.get("Statistic"),  # type: ignore[arg-type]
        extended_statistic=properties.get("ExtendedStatistic"),
        description=properties.get("AlarmDescription"),  # type: ignore[arg-type]
        dimensions=properties.get("Dimensions", []),
        alarm_actions=properties.get("AlarmActions", []),
        ok_actions=properties.get("OKActions", []),
        insufficient_data_actions=properties.get("InsufficientDataActions", []),
        unit=properties.get("Unit"),
        actions_enabled=properties.get("ActionsEnabled", True),
        treat_missing_data=properties.get("TreatMissingData"),
        evaluate_low_sample_count_percentile=properties.get("EvaluateLowSampleCountPercentile"),
        threshold_metric_id=properties.get("ThresholdMetricId"),
        tags=properties.get("Tags"),
    )
    return str(alarm.alarm_arn)


class Alarm(StackResource):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> Alarm:
        return cls(where, name, properties, {"Arn": _put_alarm(where, name, properties)})

    def change(self, properties: dict[str, Any]) -> Alarm:
        if self._name_for(properties) != self.physical_id:
            return super().change(properties)
        _put_alarm(self.where, self.physical_id, properties)  # PutMetricAlarm overwrites
        self.properties = properties
        return self

    def remove(self) -> None:
        _cloudwatch(self.where).delete_alarms([self.physical_id])


def _sns(where: Where) -> SNSBackend:
    return sns_backends[where.account_id][where.region]


class Subscription(StackResource):
    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> Subscription:
        subscription = _sns(where).subscribe(
            str(properties["TopicArn"]), str(properties["Endpoint"]), str(properties["Protocol"]))
        return cls(where, subscription.arn, properties, {"Arn": subscription.arn})

    def remove(self) -> None:
        _sns(self.where).unsubscribe(self.physical_id)


def _ses(where: Where) -> SESBackend:
    return ses_backends[where.account_id][where.region]


class EmailIdentity(StackResource):
    """An address or a domain. moto treats it as verified at once; AWS sends a
    verification mail (or waits for the domain's DKIM records) first."""
    TYPE = "AWS::SES::EmailIdentity"
    NAME_PROPERTY = "EmailIdentity"
    ATTRIBUTES = ("DkimDNSTokenName1", "DkimDNSTokenName2", "DkimDNSTokenName3",
                  "DkimDNSTokenValue1", "DkimDNSTokenValue2", "DkimDNSTokenValue3")

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> EmailIdentity:
        identity = str(properties["EmailIdentity"])
        if "@" not in identity:
            identity = identity.lower()
        if identity in _ses(where).email_identities:
            # As SES's CreateEmailIdentity refuses it, so the stack fails as on AWS.
            raise JsonRESTError("AlreadyExistsException",
                                f"Email identity {identity} already exists.")
        if "@" in identity:
            _ses(where).verify_email_identity(identity)
            return cls(where, identity, properties)
        _ses(where).verify_domain(identity)
        # Easy DKIM's three CNAME records, shaped as SES names them (moto has none).
        attributes = {}
        for n in (1, 2, 3):
            token = hashlib.sha256(f"{identity}/{n}".encode()).hexdigest()[:32]
            attributes[f"DkimDNSTokenName{n}"] = f"{token}._domainkey.{identity}"
            attributes[f"DkimDNSTokenValue{n}"] = f"{token}.dkim.amazonses.com"
        return cls(where, identity, properties, attributes)

    def remove(self) -> None:
        _ses(self.where).email_identities.pop(self.physical_id, None)
