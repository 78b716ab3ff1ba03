"""Train the built-in model of the six-pressures codebook from the labelled transcripts in data/.

Usage: python scripts/train_builtin_model.py [--check]

Writes src/gtcode/coding/learned/data/six-pressures.npz (with sentence
embeddings), six-pressures-plain.npz (without) and six-pressures-turns.npz (the
labelled turns as features, no text: `gtcode learn` trains on them beside a
study's own decisions). The same data and versions give the same files. Training folders and authors are listed in AUTHORS;
data/holdout5 (author I) is never trained on: it is the honest test.

Cross-validation leaves one author out (seven folds), so the reliability the
model reports is on authors it did not see. Rule hits on the transcripts the
rules were tuned on (authors A-D) are left out as features while training:
there the rules are nearly perfect, and a model that saw that would trust them
more than a new author's text deserves.

With --check, retrain nothing: exit 1 unless the shipped models were trained
on exactly the data now in data/ (the test suite runs this check in-process).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gtcode.codebook import Codebook
from gtcode.coding.learn import Example, gold_examples, training_set
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned.features import ngram_counts, rule_columns
from gtcode.coding.learned.model import FeatureSpec, LearnedModel
from gtcode.coding.learned.train import train
from gtcode.coding.open_coding import open_code
from gtcode.importer import import_files
from gtcode.workspace import init_study, study_codebook

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
OUT = REPO / "src" / "gtcode" / "coding" / "learned" / "data"
EMBEDDINGS_CACHE = REPO / "benchmarks" / "_data" / "embeddings.npz"

#: folder -> (author of each file, whether the rules were tuned on that author)
AUTHORS = {
    "sample": ("A", True),
    "dev": ("B/C", True),        # D01-D09 author B, D10-D15 author C
    "holdout": ("D", True),
    "holdout2": ("E", False),
    "holdout3": ("F", False),
    "holdout4": ("G", False),
}
#: Never trained on by anything: the honest test of the shipped model.
HONEST = {"holdout5": "I"}


def author_of(folder: str, file: str) -> str:
    if folder == "dev":
        return "B" if int(Path(file).stem[1:]) <= 9 else "C"
    return {**{k: v[0] for k, v in AUTHORS.items()}, **HONEST}[folder]


@dataclass
class Labelled:
    """The labelled turns of some folders, with their authors and the codebook used."""

    examples: list[Example]
    authors: list[str]
    tuned: np.ndarray
    codebook: Codebook


def load_folders(folders: list[str], work: Path) -> Labelled:
    """Import each folder into a study of its own, run the rules, match the gold labels."""
    examples, authors, tuned, book = [], [], [], None
    for folder in folders:
        path = DATA / folder
        study = init_study(work / folder, "six-pressures")
        try:
            files = sorted(p for p in path.iterdir() if p.suffix in (".txt", ".docx")
                           and p.stem.lower() != "readme")
            import_files(study, files)
            book = study_codebook(study)
            open_code(study, book, invivo=False, model=False)
            found = gold_examples(study, book, path / "labels.csv")
        finally:
            study.close()
        examples.extend(found)
        authors.extend(author_of(folder, e.turn.source) for e in found)
        tuned.extend([AUTHORS.get(folder, ("", False))[1]] * len(found))
    return Labelled(examples, authors, np.array(tuned), book)


def cached_embeddings(texts: list[str], cache: Path = EMBEDDINGS_CACHE) -> np.ndarray:
    """Embeddings of ``texts``, computed once and kept in a local (git-ignored) file."""
    keys = [embed.text_key(t) for t in texts]
    stored: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as archive:
            stored = dict(zip(archive["keys"].tolist(), archive["vectors"]))
    missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in stored]
    if missing:
        print(f"embedding {len(missing)} turns ...", file=sys.stderr)
        vectors = embed.embed([t for _k, t in missing])
        stored.update({k: v for (k, _t), v in zip(missing, vectors)})
        cache.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(stored)
        np.savez(cache, keys=np.array(names), vectors=np.vstack([stored[k] for k in names]))
    return np.vstack([stored[k] for k in keys]).astype(np.float32)


def data_fingerprint(folders: list[str]) -> str:
    """sha256 over every file of the training folders (what --check compares)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((DATA / folder).iterdir()):
            if path.is_file() and path.suffix in (".txt", ".docx", ".csv"):
                digest.update(f"{folder}/{path.name}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_turns(data: Labelled, vectors: np.ndarray, fingerprint: str, path: Path) -> None:
    """The labelled turns as features, for `gtcode learn` on the built-in codebook."""
    hits = [e.turn.rules for e in data.examples]
    rolls = {c: [c, *(a.id for a in data.codebook.ancestors(c))] for h in hits for c in h}
    targets = np.array([[label in e.codes for label in builtin.LABELS] for e in data.examples])
    builtin.write_turns(path, builtin.ShippedTurns(
        ngram_counts([e.turn.text for e in data.examples]),
        rule_columns(hits, list(builtin.LABELS), rolls), data.tuned, targets, vectors,
        tuple(data.authors), fingerprint))


def train_variant(data: Labelled, embeddings: bool, vectors: np.ndarray | None,
                  fingerprint: str) -> LearnedModel:
    spec = FeatureSpec(embeddings=embeddings,
                       embedding_model=embed.MODEL_NAME if embeddings else None)
    labels = list(builtin.LABELS)
    training = training_set(None, data.codebook, data.examples, labels, ["category"] * 6, spec,
                            vectors=vectors, groups=data.authors,
                            rule_mask=(~data.tuned).astype(np.float32))
    return train(training, spec, folds=len(set(data.authors)),
                 meta={"kind": "built-in", "codebook": "six-pressures",
                       "codebook_version": str(data.codebook.version),
                       "trained_on": sorted(AUTHORS), "data_fingerprint": fingerprint,
                       "cross_validation": "leave one author out"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    folders = list(AUTHORS)
    fingerprint = data_fingerprint(folders)
    if args.check:
        stale = [name for name in builtin.FILES.values()
                 if builtin.load(name == builtin.FILES[True]).meta.get("data_fingerprint")
                 != fingerprint]
        if builtin.shipped_turns().fingerprint != fingerprint:
            stale.append(builtin.TURNS_FILE)
        print("stale: " + ", ".join(stale) if stale else "the shipped models are current")
        return 1 if stale else 0
    with tempfile.TemporaryDirectory(prefix="gtcode-train-") as work:
        data = load_folders(folders, Path(work))
    vectors = cached_embeddings([e.turn.text for e in data.examples])
    OUT.mkdir(parents=True, exist_ok=True)
    write_turns(data, vectors, fingerprint, OUT / builtin.TURNS_FILE)
    for embeddings, name in builtin.FILES.items():
        model = train_variant(data, embeddings, vectors if embeddings else None, fingerprint)
        (OUT / name).write_bytes(model.to_bytes())
        macro = np.mean([s.kappa for s in model.scores if s.kappa is not None])
        print(f"wrote {name}: {len(data.examples)} turns, leave-one-author-out macro kappa "
              f"{macro:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
