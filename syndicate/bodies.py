"""A post's rendered body (sanitised HTML with absolute URLs): in memory, or in a body file of the
state folder. The 10,000 posts of the bench's site render 120 MB of HTML (twice that as Python
text), which neither the build's memory nor the post cache should hold: the render workers write
each body into a file of their own and hand back only where it lies; the feeds read a body when
they write its entries, the post's digest when it is made.

A body file is written once, appended to by one process, and never changed after: a build that
finds a post unchanged takes its body from the file the last build wrote. Bodies read back are
checked against their sha256, which the sealed post cache holds (a file planted in the state
folder cannot put its HTML into a feed)."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Level, SyndicateError
from .xmltext import NOT_XML

SUFFIX = ".html"


@dataclass(frozen=True)
class Body:
    """What a body is (its bytes' sha256 and length: equality, digests and repr go by these) and
    where it is: `text` in memory, else at `offset` in the body file `file`."""
    sha256: str
    length: int
    text: str | None = field(default=None, compare=False, repr=False)
    file: str = field(default="", compare=False, repr=False)
    offset: int = field(default=0, compare=False, repr=False)
    xml_safe: bool = field(default=False, compare=False, repr=False)  # no character XML refuses: no cleaning

    @classmethod
    def of(cls, html: str) -> Body:
        data = html.encode("utf-8", "surrogatepass")
        return cls(hashlib.sha256(data).hexdigest(), len(data), html, xml_safe=not NOT_XML.search(html))

    @property
    def html(self) -> str:
        return self.text if self.text is not None else self.utf8().decode("utf-8", "surrogatepass")

    def utf8(self) -> bytes:
        if self.text is not None:
            return self.text.encode("utf-8", "surrogatepass")
        data = os.pread(_descriptor(self.file), self.length, self.offset) if self.length else b""
        if len(data) != self.length or hashlib.sha256(data).hexdigest() != self.sha256:
            raise SyndicateError(Diagnostic(self.file, None, Level.ERROR, "this body file of the post cache is "
                                            "damaged or was replaced; delete the folder it is in and build again"))
        return data

    def in_memory(self) -> Body:
        return self if self.text is not None else Body(self.sha256, self.length, self.html, xml_safe=self.xml_safe)


EMPTY = Body.of("")

_descriptors: dict[str, int] = {}  # body file → an open descriptor (os.pread needs no shared position)
_appending: dict[tuple[str, int], str] = {}  # (folder, process) → the body file it appends to


def _descriptor(file: str) -> int:
    descriptor = _descriptors.get(file)
    if descriptor is None:
        try:
            descriptor = _descriptors[file] = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise SyndicateError(Diagnostic(file, None, Level.ERROR, f"a body file of the post cache cannot be "
                                            f"read ({exc.strerror}); build again")) from exc
    return descriptor


class BodyFiles:
    """The body files of one state folder. Each process that renders appends to a file of its own,
    named after the process that owns the cache (so that `prune` leaves a running build's files
    alone) and its own id."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.owner = os.getpid()
        self._checked: dict[str, bool] = {}  # body file → whether it was there when first asked

    def put(self, html: str) -> Body:
        """The body appended to this process's body file; kept in memory when the file cannot be
        written (the cache is only a cache: saving it reports why)."""
        try:
            return self._append(html)
        except OSError:
            return Body.of(html)

    def _append(self, html: str) -> Body:
        data = html.encode("utf-8", "surrogatepass")
        key = (str(self.folder), os.getpid())
        file = _appending.get(key)
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC) if file else -1
        except FileNotFoundError:  # removed since: a name is never used twice (readers may hold the old file)
            descriptor = -1
        if descriptor < 0:  # this process's first body here (a forked worker starts a file of its own)
            self.folder.mkdir(parents=True, exist_ok=True)
            file = _appending[key] = str(self.folder / f"{self.owner}-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}")
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        try:
            offset = os.fstat(descriptor).st_size  # this process alone appends to it
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        return Body(hashlib.sha256(data).hexdigest(), len(data), None, file, offset, not NOT_XML.search(html))

    def holds(self, body: Body) -> bool:
        """Whether the body is still in its file, byte for byte (a cached body whose file is gone,
        damaged or replaced is rendered again)."""
        if body.text is not None:
            return True
        if Path(body.file).parent != self.folder or not self._present(body.file):
            return False
        try:
            body.utf8()
        except SyndicateError:
            return False
        return True

    def _present(self, file: str) -> bool:
        """Whether the file is there (once per file and cache), and no descriptor left open on an
        older file of that name is read in its place."""
        if file not in self._checked:
            try:
                here = os.stat(file)
            except OSError:
                here = None
            descriptor = _descriptors.get(file)
            if descriptor is not None and (here is None or not os.path.samestat(os.fstat(descriptor), here)):
                os.close(_descriptors.pop(file))
            self._checked[file] = here is not None
        return self._checked[file]

    def sync(self, bodies: list[Body]) -> None:
        """Every file holding one of `bodies` made durable, before a cache that points into them is."""
        for file in sorted({body.file for body in bodies if body.text is None}):
            descriptor = os.open(file, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def prune(self, bodies: list[Body]) -> None:
        """Remove the body files none of `bodies` is in, but those of another running build."""
        keep = {Path(body.file).name for body in bodies if body.text is None}
        if not self.folder.is_dir():
            return
        for file in self.folder.iterdir():
            if file.suffix != SUFFIX or file.name in keep or running_elsewhere(file.name):
                continue
            file.unlink(missing_ok=True)
            descriptor = _descriptors.pop(str(file), None)
            if descriptor is not None:  # an open descriptor would keep the file's space taken
                os.close(descriptor)


def running_elsewhere(name: str) -> bool:
    """Whether the process a scratch name starts with (`<pid>-…`) is another one, still running
    (it may still read the file)."""
    try:
        pid = int(name.split("-", 1)[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
