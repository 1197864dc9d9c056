"""The typed result of one deploy, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostic, Level


@dataclass(frozen=True)
class Transfer:
    """One object uploaded or deleted (or, in a dry run, to be)."""
    action: str          # "upload" or "delete"
    rel: str
    size: int = 0
    ok: bool = True
    message: str = ""


@dataclass(frozen=True)
class Purge:
    name: str            # "cloudfront E2…" or "purge https://…"
    urls: int
    ok: bool
    message: str
    requests: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class DeployReport:
    target: str
    dry_run: bool
    transfers: tuple[Transfer, ...]
    unchanged: int
    purges: tuple[Purge, ...]
    requests: int                      # HTTP requests to the bucket, retries included
    seconds: float
    diagnostics: tuple[Diagnostic, ...] = ()
    purge_urls: tuple[str, ...] = ()   # what the purges covered (or would)

    def _count(self, action: str, ok: bool = True) -> list[Transfer]:
        return [t for t in self.transfers if t.action == action and t.ok is ok]

    @property
    def uploaded(self) -> list[Transfer]:
        return self._count("upload")

    @property
    def deleted(self) -> list[Transfer]:
        return self._count("delete")

    @property
    def failures(self) -> list[Transfer]:
        return [t for t in self.transfers if not t.ok]

    @property
    def failed(self) -> bool:
        return (bool(self.failures) or any(not p.ok for p in self.purges)
                or any(d.level is Level.ERROR for d in self.diagnostics))

    @property
    def summary(self) -> str:
        size = sum(t.size for t in self.uploaded)
        verb = "would upload" if self.dry_run else "uploaded"
        text = (f"{verb} {len(self.uploaded)} object(s) ({size / 1e6:.2f} MB), "
                f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)}, {self.unchanged} unchanged, "
                f"to {self.target} in {self.seconds:.2f} s ({self.requests} requests)")
        if self.purges:
            text += f"; purged {sum(p.ok for p in self.purges)} of {len(self.purges)} CDN(s)"
        if self.failures:
            text += (f"; {len(self.failures)} failed: the bucket still serves the previous deploy's manifest; "
                     "run `syndicate deploy` again to complete it")
        if any(not p.ok for p in self.purges):
            text += "; a failed purge is sent again by the next deploy"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target, "dry_run": self.dry_run, "ok": not self.failed, "summary": self.summary,
            "uploaded": [t.rel for t in self.uploaded], "deleted": [t.rel for t in self.deleted],
            "failed": [{"action": t.action, "path": t.rel, "message": t.message} for t in self.failures],
            "unchanged": self.unchanged, "bytes": sum(t.size for t in self.uploaded), "requests": self.requests,
            "purged_urls": list(self.purge_urls),
            "purges": [{"name": p.name, "urls": p.urls, "ok": p.ok, "message": p.message, "requests": p.requests,
                        "seconds": round(p.seconds, 3)} for p in self.purges],
            "seconds": round(self.seconds, 3),
        }
