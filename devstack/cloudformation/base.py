"""The shape every resource handler shares: moto's CloudFormationModel with
Ref and GetAtt answered from what the handler created.

A handler says which type it serves, creates the resource through moto's own
service backend from the template's properties, updates it in place where
CloudFormation does, and deletes it. moto's ResourceMap calls these methods.
"""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

Handler = TypeVar("Handler", bound="StackResource")


@dataclass(frozen=True)
class Where:
    """The account, region and stack a resource is created in."""
    account_id: str
    region: str
    stack_name: str
    logical_id: str

    @property
    def partition(self) -> str:
        return "aws"


class StackResource(CloudFormationModel):
    """One resource a stack created; `physical_id` is what Ref answers."""
    TYPE: ClassVar[str]
    # The property that names the resource, if the type has one (CloudFormation
    # generates a name from the stack and logical id when it is left out).
    NAME_PROPERTY: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, where: Where, physical_id: str, properties: dict[str, Any],
                 attributes: dict[str, Any] | None = None) -> None:
        self.where = where
        self.physical_id = physical_id
        self.properties = properties
        self.attributes = dict(attributes or {})

    # --- what each handler writes -------------------------------------------------
    @classmethod
    @abstractmethod
    def create(cls: type[Handler], where: Where, name: str,
               properties: dict[str, Any]) -> Handler:
        """Create the resource; `name` is the template's name or a generated one."""

    @abstractmethod
    def remove(self) -> None:
        """Delete the resource (gone already counts as deleted)."""

    def change(self: Handler, properties: dict[str, Any]) -> Handler:
        """Apply changed properties; by default a replacement, as CloudFormation
        does for properties it cannot update in place. (CloudFormation creates
        the replacement first; here the old one goes first, as the two may share
        a name or id.)"""
        self.remove()
        return type(self).create(self.where, self._name_for(properties), properties)

    def _name_for(self, properties: dict[str, Any]) -> str:
        if self.NAME_PROPERTY and self.NAME_PROPERTY in properties:
            return str(properties[self.NAME_PROPERTY])
        return self.physical_id

    # --- moto's CloudFormationModel -----------------------------------------------
    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:  # type: ignore[override]
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any) -> StackResource:
        stack_name = str(kwargs.get("StackId", "")).split("/")[1:2] or [""]
        where = Where(account_id, region_name, stack_name[0], str(kwargs.get("LogicalId", "")))
        return cls.create(where, resource_name, dict(cloudformation_json.get("Properties", {})))

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
            cls, original_resource: StackResource, new_resource_name: str,
            cloudformation_json: dict[str, Any], account_id: str,
            region_name: str) -> StackResource:
        properties = dict(cloudformation_json.get("Properties", {}))
        if properties == original_resource.properties:
            return original_resource
        return original_resource.change(properties)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str) -> None:
        raise NotImplementedError("deleted through delete(), which moto tries first")

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    def is_created(self) -> bool:
        return True
