"""The labelled detection corpus: where its entries are listed and where their code trees live.

The corpus is two files of labels (the shared dev corpus and our own additions, same schema);
the code they describe is never in this repository. Each entry's commit is extracted, outside
the repository, into ``$GOVAPP_CORPUS_DIR/OWNER+NAME@COMMIT12/``.

    .venv/bin/python bench/corpus_tree.py extract --git-dir DIR --repo OWNER/NAME [--commit SHA]
    .venv/bin/python bench/corpus_tree.py extract --mirror-root ROOT   # ROOT/OWNER+NAME/repo for each

``extract`` takes the tree with ``git archive``; when the git directory lacks some blobs (a
snapshot without its largest files) it writes the tree blob by blob and lists what it skipped.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDITIONS = REPO_ROOT / "bench" / "corpus" / "additions.json"
DEFAULT_CORPUS_DIR = Path("/var/tmp/govapp-corpus")
# The shared corpus sits beside the checkout (../shared/corpus/), as the issue names it.
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "corpus" / "miniprograms-dev.json"

# Corpus label name -> the scanner's category id.
LABEL_TO_CATEGORY = {
    "checkin": "checkin",
    "ranking": "ranking",
    "online_time": "online_time",
    "engagement_metrics_eval": "engagement_metrics",
    "forced_upload": "forced_upload",
    "location_tracking": "location_tracking",
    "forced_login": "forced_login",
    "forced_download": "forced_download",
}
CATEGORIES = tuple(LABEL_TO_CATEGORY.values())


@dataclass(frozen=True)
class Entry:
    source: str  # "shared" or "additions"
    split: str  # "dev" for the shared file, "tune" or "holdout" for ours
    repo: str
    commit: str
    subdir: str
    platform: str
    confidence: str
    positives: frozenset[str]  # scanner category ids labelled true
    evidence: dict[str, list[str]]  # by scanner category id
    raw: dict[str, Any]

    @property
    def folder_name(self) -> str:
        owner, name = self.repo.split("/", 1)
        return f"{owner}+{name}@{self.commit[:12]}"

    @property
    def key(self) -> str:
        return f"{self.repo}@{self.commit[:12]}"


def corpus_dir() -> Path:
    return Path(os.environ.get("GOVAPP_CORPUS_DIR") or DEFAULT_CORPUS_DIR)


def shared_file() -> Path:
    return Path(os.environ.get("GOVAPP_SHARED_CORPUS") or DEFAULT_SHARED)


def _entries_of(document: Any) -> list[dict[str, Any]]:
    # The shared file is a bare list; ours is {"about": ..., "entries": [...]}.
    if isinstance(document, dict):
        return list(document["entries"])
    return list(document)


def parse_entry(raw: dict[str, Any], *, source: str) -> Entry:
    """One corpus entry; KeyError/ValueError name the entry when a field is missing or wrong."""
    labels = raw["labels"]
    unknown = set(labels) - set(LABEL_TO_CATEGORY)
    if unknown:
        raise ValueError(f"{raw['repo']}: unknown labels {sorted(unknown)}")
    split = raw.get("split", "dev") if source == "additions" else "dev"
    if source == "additions" and split not in ("tune", "holdout"):
        raise ValueError(f"{raw['repo']}: split must be 'tune' or 'holdout', not {split!r}")
    evidence = {LABEL_TO_CATEGORY[label]: list(items) for label, items in (raw.get("evidence") or {}).items()}
    return Entry(
        source=source,
        split=split,
        repo=raw["repo"],
        commit=raw["commit"],
        subdir=raw.get("subdir", ""),
        platform=raw.get("platform", ""),
        confidence=raw.get("confidence", "medium"),
        positives=frozenset(LABEL_TO_CATEGORY[label] for label, value in labels.items() if value),
        evidence=evidence,
        raw=raw,
    )


def load_entries(*, shared: Path, additions: Path) -> list[Entry]:
    """Both label files; a missing additions file is no additions, a missing shared file an error."""
    entries = [
        parse_entry(raw, source="shared") for raw in _entries_of(json.loads(shared.read_text("utf-8")))
    ]
    if additions.exists():
        document = json.loads(additions.read_text("utf-8"))
        entries += [parse_entry(raw, source="additions") for raw in _entries_of(document)]
    return entries


def missing_entries(entries: list[Entry], root: Path) -> list[Entry]:
    return [entry for entry in entries if not (root / entry.folder_name / entry.subdir).is_dir()]


def how_to_bring(entries: list[Entry], root: Path) -> str:
    """The lines that tell a clean checkout exactly what to fetch and how."""
    lines = [
        f"{len(entries)} corpus folder(s) missing under {root} (set GOVAPP_CORPUS_DIR to use another place):"
    ]
    for entry in entries:
        lines.append(f"  {entry.repo} @ {entry.commit} -> {root / entry.folder_name}")
    lines += [
        "Bring each repository as a git directory (git clone --bare https://github.com/OWNER/NAME, or a",
        "stored snapshot), then extract the labelled commit outside this checkout:",
        "  .venv/bin/python bench/corpus_tree.py extract --git-dir DIR --repo OWNER/NAME",
        "or, with every repository at ROOT/OWNER+NAME/repo:",
        "  .venv/bin/python bench/corpus_tree.py extract --mirror-root ROOT",
        "Details: bench/fetch_corpus.md",
    ]
    return "\n".join(lines)


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False)


def has_commit(git_dir: Path, commit: str) -> bool:
    return _git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def extract_commit(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write ``commit``'s tree into ``dest``; returns the paths whose blobs the git directory lacks."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = _git(git_dir, "archive", "--format=tar", commit)
    if archive.returncode == 0:
        skipped: list[str] = []
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            for member in tar:
                try:
                    tar.extract(member, dest, filter="data")
                except (tarfile.FilterError, OSError):
                    skipped.append(member.name)  # links out of the tree, odd names
        return skipped
    skipped = []
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit)
    if listing.returncode != 0:
        raise RuntimeError(
            f"{git_dir}: cannot list {commit}: {listing.stderr.decode(errors='replace').strip()}"
        )
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        target = dest / path
        if kind != b"blob" or mode == b"120000" or ".." in Path(path).parts:
            continue  # submodules and symlinks carry no code of the app
        blob = _git(git_dir, "cat-file", "blob", sha.decode())
        if blob.returncode != 0:
            skipped.append(path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
    return skipped


def _extract_one(entry: Entry, git_dir: Path, root: Path) -> int:
    if not has_commit(git_dir, entry.commit):
        print(f"{entry.repo}: commit {entry.commit} is not in {git_dir}", file=sys.stderr)
        return 1
    dest = root / entry.folder_name
    if dest.is_dir() and any(dest.iterdir()):
        print(f"{entry.key}: already at {dest}")
        return 0
    skipped = extract_commit(git_dir, entry.commit, dest)
    note = (
        f" ({len(skipped)} file(s) absent from the git directory: {', '.join(skipped[:5])})"
        if skipped
        else ""
    )
    print(f"{entry.key}: extracted to {dest}{note}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract", help="extract labelled commits into the corpus folder")
    extract.add_argument("--git-dir", type=Path, help="one repository's git directory")
    extract.add_argument("--repo", help="OWNER/NAME of that repository (every entry of it is extracted)")
    extract.add_argument("--mirror-root", type=Path, help="ROOT holding OWNER+NAME/repo for each repository")
    extract.add_argument("--shared", type=Path, default=shared_file())
    extract.add_argument("--additions", type=Path, default=ADDITIONS)
    args = parser.parse_args(argv)
    entries = load_entries(shared=args.shared, additions=args.additions)
    root = corpus_dir()
    status = 0
    if args.git_dir:
        if not args.repo:
            parser.error("--git-dir needs --repo")
        chosen = [entry for entry in entries if entry.repo == args.repo]
        if not chosen:
            parser.error(f"{args.repo} is not in the corpus")
        for entry in chosen:
            status |= _extract_one(entry, args.git_dir, root)
    elif args.mirror_root:
        for entry in missing_entries(entries, root):
            owner, name = entry.repo.split("/", 1)
            base = args.mirror_root / f"{owner}+{name}" / "repo"
            git_dir = base / ".git" if (base / ".git").is_dir() else base
            if not git_dir.is_dir():
                print(f"{entry.repo}: no git directory at {base}", file=sys.stderr)
                status = 1
                continue
            status |= _extract_one(entry, git_dir, root)
    else:
        parser.error("give --git-dir with --repo, or --mirror-root")
    return status


if __name__ == "__main__":
    sys.exit(main())
