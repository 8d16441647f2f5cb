"""What an import run did, file by file, for the final report."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file or line, reason)
    dry_run: bool = False
    # Statements linked as language versions of others, and what was imported but could not
    # be done in full (a version link that names no statement), as (line, reason).
    linked: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.skipped)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
            + (f", {len(self.linked)} {verb}linked as language versions" if self.linked else "")
            + (f", {len(self.warnings)} warning(s)" if self.warnings else "")
            + (" (dry run: nothing was written)" if self.dry_run else "")
        )

    def lines(self, *, verbose: bool = False) -> list[str]:
        """The summary, every skipped item with its reason, and (verbose) every key."""
        out = [self.summary()]
        for where, reason in self.skipped:
            out.append(f"  skipped {where}: {reason}")
        for where, reason in self.warnings:
            out.append(f"  warning {where}: {reason}")
        if verbose:
            for label, keys in (
                ("created", self.created), ("updated", self.updated), ("unchanged", self.unchanged)
            ):
                out.extend(f"  {label} {key}" for key in keys)
        return out
