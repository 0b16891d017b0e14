"""SCIM 2.0 (RFC 7643/7644) resources as Alongside stores them.

scim2-models parses and validates every payload (unknown attributes are refused), applies
PATCH operations and parses filters; this module maps its User (with the enterprise
extension) and Group models onto the directory, and turns a filter's syntax tree into a
database query scoped to one organisation.

Which User attributes Alongside keeps (the rest of the standard schemas is accepted and
not stored, so that an identity provider's default mappings work without keeping data
Alongside has no use for):

=================================================  ==============================
SCIM attribute                                     directory
=================================================  ==============================
``userName`` (the work email address)              email
``displayName`` (else ``name.formatted``, else     name
``name.givenName`` + ``name.familyName``)
``name.givenName``, ``name.familyName``            kept for the identity provider
``externalId``                                     kept for the identity provider
``title``                                          job title
``active``                                         active (false: the person leaves)
``timezone``                                       time zone (IANA)
``addresses[type eq "work"].locality``             location
enterprise ``employeeNumber``                      employee id
enterprise ``department``                          department / function
enterprise ``manager.value``                       manager (another SCIM User id)
=================================================  ==============================
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from scim2_models import (
    Address,
    Context,
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    InvalidFilterException,
    Manager,
    Meta,
    Name,
    ResponseParameters,
    ScimFilter,
    User,
)
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from alongside.people.models import Person
from alongside.scim.models import ScimGroup, ScimUser

UserResource = User[EnterpriseUser]
ENTERPRISE = str(EnterpriseUser.__schema__)
CORE_USER = str(User.__schema__)

# Supported sub-set of each schema, published on /Schemas.
USER_ATTRIBUTES = {
    "userName",
    "name",
    "displayName",
    "title",
    "active",
    "emails",
    "timezone",
    "addresses",
    "externalId",
}
ENTERPRISE_ATTRIBUTES = {"employeeNumber", "department", "manager"}
GROUP_ATTRIBUTES = {"displayName", "members", "externalId"}


def etag(moment: datetime) -> str:
    return f'W/"{int(moment.timestamp() * 1_000_000)}"'


def user_modified(person: Person, link: ScimUser | None) -> datetime:
    return max(person.updated_at, link.updated_at) if link is not None else person.updated_at


def person_to_resource(
    person: Person, link: ScimUser | None, base_url: str, *, for_patch: bool = False
) -> UserResource:
    """The person as a SCIM User. ``for_patch`` keeps an empty work address in place so
    that ``addresses[type eq "work"].locality`` (as Entra ID sends it) has a target."""
    modified = user_modified(person, link)
    resource = UserResource(
        id=str(person.pk),
        external_id=(link.external_id or None) if link else None,
        user_name=person.email,
        display_name=person.name,
        name=Name(
            formatted=person.name,
            given_name=(link.given_name or None) if link else None,
            family_name=(link.family_name or None) if link else None,
        ),
        title=person.job_title or None,
        active=person.is_active,
        # Built without validation: the directory already checked the address, and an
        # address on a reserved domain (.test, .invalid) must not break the response.
        emails=[Email.model_construct(value=person.email, type=Email.Type.work, primary=True)],
        timezone=person.timezone or None,
        addresses=(
            [Address(type=Address.Type.work, locality=person.location or None)]
            if person.location or for_patch
            else None
        ),
        meta=Meta(
            resource_type="User",
            created=person.created_at,
            last_modified=modified,
            location=f"{base_url}/Users/{person.pk}",
            version=etag(modified),
        ),
    )
    enterprise = EnterpriseUser(
        employee_number=person.employee_id or None,
        department=person.department or None,
        manager=(
            Manager(
                value=str(person.manager_id),
                display_name=person.manager.name,
                ref=None,
            )
            if person.manager is not None
            else None
        ),
    )
    if enterprise.model_dump(exclude_none=True, exclude={"schemas"}):
        resource[EnterpriseUser] = enterprise
    return resource


def group_to_resource(group: ScimGroup, base_url: str) -> Group:
    return Group(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.display_name,
        members=[
            GroupMember(
                value=str(p.pk),
                display=p.name,
                type="User",
                ref=f"{base_url}/Users/{p.pk}",  # type: ignore[arg-type]
            )
            for p in group.members.all()
        ]
        or None,
        meta=Meta(
            resource_type="Group",
            created=group.created_at,
            last_modified=group.updated_at,
            location=f"{base_url}/Groups/{group.pk}",
            version=etag(group.updated_at),
        ),
    )


def dump(resource: Any, parameters: ResponseParameters[Any] | None = None) -> Any:
    return resource.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters
    )


# --- Filters ---------------------------------------------------------------------------

# (schema URN or "", attribute, sub-attribute) folded → the Person field it queries.
_USER_FIELDS: dict[tuple[str, str, str], str] = {
    ("", "username", ""): "email",
    ("", "id", ""): "pk",
    ("", "externalid", ""): "scim_user__external_id",
    ("", "displayname", ""): "name",
    ("", "name", "formatted"): "name",
    ("", "name", "givenname"): "scim_user__given_name",
    ("", "name", "familyname"): "scim_user__family_name",
    ("", "title", ""): "job_title",
    ("", "active", ""): "is_active",
    ("", "emails", ""): "email",
    ("", "emails", "value"): "email",
    ("", "timezone", ""): "timezone",
    ("", "meta", "created"): "created_at",
    ("", "meta", "lastmodified"): "updated_at",
    (ENTERPRISE.lower(), "employeenumber", ""): "employee_id",
    (ENTERPRISE.lower(), "department", ""): "department",
    (ENTERPRISE.lower(), "manager", ""): "manager_id",
    (ENTERPRISE.lower(), "manager", "value"): "manager_id",
}
_GROUP_FIELDS: dict[tuple[str, str, str], str] = {
    ("", "displayname", ""): "display_name",
    ("", "id", ""): "pk",
    ("", "externalid", ""): "external_id",
    ("", "members", ""): "members__pk",
    ("", "members", "value"): "members__pk",
    ("", "meta", "created"): "created_at",
    ("", "meta", "lastmodified"): "updated_at",
}
_CASE_EXACT = {"pk", "manager_id", "members__pk", "scim_user__external_id", "external_id"}
_STRING_LOOKUPS = {
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
}
_ORDER_LOOKUPS = {
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


class _ToQuery(FilterVisitor[Q]):
    """A filter's syntax tree as a Django ``Q``; an attribute Alongside cannot query is
    an ``invalidFilter`` error, never silently ignored."""

    def __init__(self, fields: dict[tuple[str, str, str], str], core_urn: str) -> None:
        self.fields = fields
        self.core_urn = core_urn.lower()
        self.prefix: AttrPath | None = None

    def _field(self, path: AttrPath) -> str:
        if self.prefix is not None:  # inside emails[...]: "value" is emails.value
            path = AttrPath(attr=self.prefix.attr, sub_attr=path.attr, uri=self.prefix.uri)
        uri = (path.uri or "").lower()
        if uri == self.core_urn:
            uri = ""
        key = (uri, path.attr.lower(), (path.sub_attr or "").lower())
        field = self.fields.get(key)
        if field is None:
            raise InvalidFilterException(
                detail=f"Filtering on '{path}' is not supported by this service provider."
            )
        return field

    def visit_logical_expr(self, node: LogicalExpr) -> Q:
        terms = [self.visit(term) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined

    def visit_not(self, node: Not) -> Q:
        return ~self.visit(node.expr)

    def visit_present(self, node: Present) -> Q:
        field = self._field(node.attr_path)
        if field in {"is_active", "pk", "created_at", "updated_at"}:
            return Q()
        return Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})

    def visit_value_path(self, node: ValuePath) -> Q:
        if node.attr_path.attr.lower() not in {"emails", "members"}:
            raise InvalidFilterException(
                detail=f"Filtering inside '{node.attr_path}' is not supported."
            )
        self.prefix = node.attr_path
        try:
            return self.visit(node.val_filter)
        finally:
            self.prefix = None

    def visit_comparison(self, node: Comparison) -> Q:
        path = node.attr_path
        if self.prefix is not None and self.prefix.attr.lower() == "emails":
            sub = path.attr.lower()
            if sub == "type":  # Alongside keeps one email, the work one
                return Q() if str(node.value).lower() == "work" else Q(pk__in=[])
            if sub == "primary":
                return Q() if node.value is True else Q(pk__in=[])
        field = self._field(path)
        value = node.value
        if field in {"created_at", "updated_at"}:
            moment = parse_datetime(str(value)) if value is not None else None
            if moment is None:
                raise InvalidFilterException(detail=f"'{value}' is not a dateTime.")
            value = moment
        elif field == "is_active":
            if not isinstance(value, bool) or node.op not in (
                CompareOperator.eq,
                CompareOperator.ne,
            ):
                raise InvalidFilterException(
                    detail="'active' compares only with eq or ne true/false."
                )
        elif field in {"pk", "manager_id", "members__pk"}:
            if node.op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(detail=f"'{path}' compares only with eq or ne.")
            if not str(value).isdigit():
                return Q(pk__in=[]) if node.op == CompareOperator.eq else Q()
        elif value is None:
            empty = Q(**{field: ""})
            return empty if node.op == CompareOperator.eq else ~empty
        if node.op in (CompareOperator.eq, CompareOperator.ne):
            lookup = (
                field if field in _CASE_EXACT or not isinstance(value, str) else f"{field}__iexact"
            )
            q = Q(**{lookup: value})
            return q if node.op == CompareOperator.eq else ~q
        if node.op in _STRING_LOOKUPS:
            if not isinstance(value, str):
                raise InvalidFilterException(detail=f"'{node.op}' needs a string value.")
            lookup = _STRING_LOOKUPS[node.op]
            return Q(**{f"{field}__{lookup if field in _CASE_EXACT else 'i' + lookup}": value})
        return Q(**{f"{field}__{_ORDER_LOOKUPS[node.op]}": value})


def filter_q(expression: str, *, groups: bool = False) -> Q:
    """Parse a SCIM filter (raising ``InvalidFilterException``) into a query."""
    tree: FilterNode = ScimFilter(expression).ast
    if groups:
        return _ToQuery(_GROUP_FIELDS, str(Group.__schema__)).visit(tree)
    return _ToQuery(_USER_FIELDS, CORE_USER).visit(tree)


def version_of(resource: Any) -> str:
    return resource.meta.version if resource.meta is not None else ""


def location_of(resource: Any) -> str:
    return resource.meta.location if resource.meta is not None else ""
