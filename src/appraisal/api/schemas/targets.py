"""What the API of 目标管理 (the target tree) reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar.datastructures import UploadFile



class TargetIn(msgspec.Struct, kw_only=True):
    title: Annotated[str, msgspec.Meta(max_length=200)]
    weight: Annotated[float, msgspec.Meta(description="Share of the parent; the parent's children sum to 100")]
    indicator_kind: Annotated[str, msgspec.Meta(description="quantity 数量 | deadline 时限 | quality 质量")] = "quantity"
    target_value: float | None = None
    unit: str = ""
    due_on: dt.date | None = None
    quality: str = ""
    section_id: int | None = None
    owner_id: int | None = None
    year: int | None = None
    parent_id: int | None = None


class TargetPatch(msgspec.Struct, kw_only=True):
    """The fields to change; those left out stay as they are. `archived` archives or restores."""
    title: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    weight: float | msgspec.UnsetType = msgspec.UNSET
    indicator_kind: str | msgspec.UnsetType = msgspec.UNSET
    target_value: float | None | msgspec.UnsetType = msgspec.UNSET
    unit: str | msgspec.UnsetType = msgspec.UNSET
    due_on: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    quality: str | msgspec.UnsetType = msgspec.UNSET
    owner_id: int | None | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


class WeightsIn(msgspec.Struct, kw_only=True):
    weights: Annotated[dict[int, float], msgspec.Meta(description="child target id → weight; must sum to 100")]
    year: int | None = None


class TargetProgressIn(msgspec.Struct, kw_only=True):
    evidence: Annotated[str, msgspec.Meta(max_length=2000)]
    completion: float | None = None
    actual: float | None = None


class CopyIn(msgspec.Struct, kw_only=True):
    from_year: int
    to_year: int


class ImportForm(msgspec.Struct, kw_only=True):
    file: UploadFile
    year: int
    dry_run: bool = False


class TargetOut(msgspec.Struct, kw_only=True):
    """A target as stored, with the names of its section and owner."""
    id: int
    year: int
    parent: int | None
    level: str
    section: int | None
    owner: int | None
    title: str
    weight: float
    indicator_kind: str
    target_value: float | None
    unit: str
    due_on: dt.date | None
    quality: str
    status: str
    completion: Annotated[float | None, msgspec.Meta(description="latest reported (leaves); null = not started")]
    sort_order: int
    section_name: str | None
    owner_name: str | None


class TargetProgressOut(msgspec.Struct, kw_only=True):
    id: int
    at: dt.datetime
    completion: float
    actual: float | None
    evidence: str
    author_name: str | None


class TargetRollOut(TargetOut, kw_only=True):
    rolled: Annotated[float | None, msgspec.Meta(description="completion rolled up by weight; null when archived")]
    indicator_label: str


class MyTargetOut(TargetRollOut, kw_only=True):
    """One of the caller's targets, or (is_section) one of the section they lead as chief."""

    parent_title: Annotated[str | None, msgspec.Meta(description="the target it is a share of; null at the top")]
    reports: Annotated[list[TargetProgressOut], msgspec.Meta(description="its progress reports, newest first")]
    is_section: bool
    has_children: bool


class TreeTargetOut(TargetRollOut, kw_only=True):
    depth: int
    has_children: bool
    weights_sum: Annotated[float | None, msgspec.Meta(
        description="the sum of its children's shares when it is not 100; otherwise null")]
    level_label: str
    may_report: bool
    may_break_down: bool
    may_archive: bool


class TargetTree(msgspec.Struct, kw_only=True):
    year: int
    targets: Annotated[list[TreeTargetOut], msgspec.Meta(description="in display order, each with its depth")]
    office: Annotated[float | None, msgspec.Meta(description="the office's completion; null without targets")]
    top_weights_sum: Annotated[float | None, msgspec.Meta(
        description="the sum of the office targets' shares when it is not 100; otherwise null")]


class TargetCreated(msgspec.Struct, kw_only=True):
    id: int


class TargetCompletion(msgspec.Struct, kw_only=True):
    completion: Annotated[float, msgspec.Meta(description="the completion (0–100) the report set")]


class TargetsCopied(msgspec.Struct, kw_only=True):
    copied: Annotated[int, msgspec.Meta(description="targets created in the new year")]


class TargetsImported(msgspec.Struct, kw_only=True):
    rows: Annotated[int, msgspec.Meta(description="targets in the file (created unless dry_run)")]
