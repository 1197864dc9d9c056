"""What a deploy does, from the local objects and one listing of the bucket: upload what the bucket
lacks or holds in other bytes, delete what the output no longer has, leave the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..output import MANIFEST
from .objects import LocalObject


@dataclass(frozen=True)
class RemoteObject:
    key: str
    etag: str
    size: int


@dataclass
class Plan:
    upload: list[LocalObject] = field(default_factory=list)      # before the manifest, any order
    check: list[LocalObject] = field(default_factory=list)       # same size, ETag not ours: HEAD decides
    manifest: LocalObject | None = None                          # uploaded last, when it changed
    delete: list[str] = field(default_factory=list)              # keys, after the manifest is up
    unchanged: int = 0
    overwritten: set[str] = field(default_factory=set)           # rels the bucket held in other bytes

    @property
    def uploads(self) -> list[LocalObject]:
        return self.upload + ([self.manifest] if self.manifest else [])


def make_plan(local: list[LocalObject], remote: dict[str, RemoteObject], key_of: Callable[[str], str],
              force: bool = False) -> Plan:
    plan = Plan()
    for obj in local:
        there = remote.get(key_of(obj.rel))
        if there is not None and not force and there.etag == obj.etag and there.size == obj.size:
            plan.unchanged += 1
            continue
        if there is not None:
            plan.overwritten.add(obj.rel)
        if obj.rel == MANIFEST:
            plan.manifest = obj
        elif there is not None and not force and there.size == obj.size:
            plan.check.append(obj)  # other bytes of one size, or a store whose ETags are no MD5 (SSE-KMS)
        else:
            plan.upload.append(obj)
    keys = {key_of(obj.rel) for obj in local}
    plan.delete = sorted(key for key in remote if key not in keys)
    return plan
