"""The service-commitment catalogue: public reading, admin editing with versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appraisal.db.tables import Commitment, CommitmentVersion, Section
from appraisal.db.transaction import atomic
from appraisal.domain.commitments import Limit, LimitKind, VersionRef, version_in_force
from appraisal.errors import InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import audit
from appraisal.services.calendar import check_year


@dataclass(frozen=True)
class Promise:
    """What an item promises from `effective_from` on."""

    effective_from: dt.date
    limit: Limit
    standard: str = ""
    materials: str = ""
    complaint_channel: str = ""


def parse_limit(kind: str, days: int | None) -> Limit:
    try:
        limit_kind = LimitKind(kind)
    except ValueError:
        raise InvalidInput(_("承诺时限类型应为即办、当日办结或工作日"), code="bad_limit") from None
    return Limit(limit_kind, days or 0)


def _check_promise(name: str, promise: Promise) -> str:
    """The item's name, trimmed, if it and the promise can be kept (422 otherwise)."""
    check_year(promise.effective_from.year)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("事项名称不能为空，且不超过 100 个字符"), code="bad_name")
    if max(len(promise.standard), len(promise.materials)) > 5000 or len(promise.complaint_channel) > 200:
        raise InvalidInput(_("办理标准、所需材料或投诉渠道过长"), code="too_long")
    return name


def _version_row(commitment_id: int, promise: Promise) -> CommitmentVersion:
    return CommitmentVersion(
        commitment=commitment_id,
        effective_from=promise.effective_from,
        limit_kind=promise.limit.kind.value,
        limit_days=promise.limit.days,
        standard=promise.standard.strip(),
        materials=promise.materials.strip(),
        complaint_channel=promise.complaint_channel.strip(),
    )


async def create_item(actor: Principal | None, section_id: int, name: str, promise: Promise) -> Commitment:
    if actor is not None:
        require_role(actor, Role.ADMIN)
    name = _check_promise(name, promise)
    async with atomic():
        if not await Section.exists().where(Section.id == section_id, Section.is_active == True).run():  # noqa: E712
            raise InvalidInput(_("所选科室不存在或已停用"), code="unknown_section")
        item = await audit.insert(actor, Commitment(section=section_id, name=name))
        await audit.insert(actor, _version_row(item.id, promise))
    return item


async def add_version(actor: Principal, commitment_id: int, promise: Promise) -> None:
    """A new promise from a date on; matters already registered keep theirs."""
    require_role(actor, Role.ADMIN)
    async with atomic():
        item = await Commitment.objects().get(Commitment.id == commitment_id).run()
        if item is None:
            raise NotFound(_("服务事项不存在"))
        _check_promise(item.name, promise)
        await audit.insert(actor, _version_row(item.id, promise))


async def set_active(actor: Principal, commitment_id: int, is_active: bool) -> None:
    require_role(actor, Role.ADMIN)
    async with atomic():
        item = await Commitment.objects().get(Commitment.id == commitment_id).run()
        if item is None:
            raise NotFound(_("服务事项不存在"))
        await audit.update(actor, item, {"is_active": is_active})


VERSION_COLUMNS = (
    CommitmentVersion.id,
    CommitmentVersion.commitment,
    CommitmentVersion.effective_from,
    CommitmentVersion.limit_kind,
    CommitmentVersion.limit_days,
    CommitmentVersion.standard,
    CommitmentVersion.materials,
    CommitmentVersion.complaint_channel,
)


async def catalogue(on: dt.date, *, include_inactive: bool = False) -> list[dict]:
    """Every item with the promise in force on `on`, ordered by section. Items whose first
    version starts later are not listed yet."""
    items_query = Commitment.select(
        Commitment.id, Commitment.name, Commitment.is_active,
        Commitment.section.id.as_alias("section_id"), Commitment.section.name.as_alias("section_name"),
    ).order_by(Commitment.section.sort_order).order_by(Commitment.id)
    if not include_inactive:
        items_query = items_query.where(Commitment.is_active == True)  # noqa: E712
    items = await items_query.run()
    versions = await CommitmentVersion.select(*VERSION_COLUMNS).where(CommitmentVersion.effective_from <= on).run()
    by_item: dict[int, list[dict]] = {}
    for v in versions:
        by_item.setdefault(v["commitment"], []).append(v)
    result = []
    for item in items:
        rows = by_item.get(item["id"], [])
        ref = version_in_force([VersionRef(v["id"], v["effective_from"]) for v in rows], on)
        if ref is None:
            continue
        version = next(v for v in rows if v["id"] == ref.id)
        limit = Limit(LimitKind(version["limit_kind"]), version["limit_days"])
        result.append({**item, **{k: version[k] for k in ("effective_from", "standard", "materials", "complaint_channel")},
                       "version_id": version["id"], "limit_kind": limit.kind.value, "limit_days": limit.days,
                       "limit_label": limit.label})
    return result


async def version_for_registration(commitment_id: int, on: dt.date) -> dict:
    """The version a matter registered on `on` is bound to (422 when the item does not exist,
    is withdrawn, or has no promise in force yet)."""
    for item in await catalogue(on):
        if item["id"] == commitment_id:
            return item
    raise InvalidInput(_("所选服务事项不存在、已停用或尚未生效"), code="unknown_commitment")


async def upcoming_versions(after: dt.date) -> dict[int, list[dict]]:
    """Promises announced to take effect after `after`, per item, earliest first."""
    rows = await (CommitmentVersion.select(*VERSION_COLUMNS).where(CommitmentVersion.effective_from > after)
                  .order_by(CommitmentVersion.effective_from).run())
    result: dict[int, list[dict]] = {}
    for row in rows:
        limit = Limit(LimitKind(row["limit_kind"]), row["limit_days"])
        result.setdefault(row["commitment"], []).append({**row, "limit_label": limit.label})
    return result
