"""DescribeAvailabilityZones as AWS answers it, for moto 5.2.5, which reports no OptInStatus or GroupName and
silently ignores every filter it does not know: asked for `opt-in-status = opt-in-not-required` (what the Redshift
network's `aws_availability_zones` sends) it answered with whatever it had, which only happened to be right.

AWS (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AvailabilityZone.html):
- an Availability Zone's OptInStatus is always `opt-in-not-required` (only Local and Wavelength Zones are opted in
  or not); its GroupName and NetworkBorderGroup are the Region's name;
- the filters are group-long-name, group-name, message, opt-in-status, parent-zone-id, parent-zone-name,
  region-name, state, zone-id, zone-name and zone-type; any other filter name is refused with
  InvalidParameterValue "The filter '<name>' is invalid".

moto's zone tables already have the per-account letters AWS hands out in the older Regions: ap-northeast-1 is
`a`, `c`, `d` (no `b`), the case the network construct must not hard-code (docs/redshift.md, "Network").

Decision where AWS is not explicit: `message`, `group-long-name` and the parent-zone filters are accepted and match
nothing moto models (moto has no Local Zones, no messages and no long group names), so they return no zones.
"""
from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import EC2ClientError

AZ_OPT_IN_STATUS = "opt-in-not-required"
# filter name -> the Zone attribute it matches (None: a field moto never sets, so the filter matches nothing).
FILTERS: dict[str, str | None] = {
    "group-long-name": None, "group-name": "group_name", "message": None, "opt-in-status": "opt_in_status",
    "parent-zone-id": None, "parent-zone-name": None, "region-name": "region_name", "state": "state",
    "zone-id": "zone_id", "zone-name": "name", "zone-type": "zone_type",
}


class InvalidFilter(EC2ClientError):
    def __init__(self, name: str):
        super().__init__("InvalidParameterValue", f"The filter '{name}' is invalid")


def install() -> None:
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend, Zone

    original = RegionsAndZonesBackend.describe_availability_zones
    if getattr(original, "__meshform__", False):
        return

    def describe_availability_zones(self: Any, filters: dict[str, list[str]] | None = None,
                                    zone_names: list[str] | None = None, zone_ids: list[str] | None = None):
        for name in filters or {}:
            if name not in FILTERS:
                raise InvalidFilter(name)
        zones = original(self, None, zone_names=zone_names, zone_ids=zone_ids)
        for name, values in (filters or {}).items():
            attribute = FILTERS[name]
            zones = [z for z in zones if attribute is not None and getattr(z, attribute, None) in values]
        return zones

    describe_availability_zones.__meshform__ = True  # type: ignore[attr-defined]
    RegionsAndZonesBackend.describe_availability_zones = describe_availability_zones
    # Every zone moto knows is an Availability Zone of its Region (zone_type "availability-zone").
    Zone.opt_in_status = AZ_OPT_IN_STATUS
    Zone.group_name = property(lambda self: self.region_name)
    Zone.network_border_group = property(lambda self: self.region_name)
