"""Grouping passages by similarity: average-linkage clustering, cut where silhouette is best.

The distances (1 - similarity, :mod:`gtcode.coding.similar`) of up to
:data:`EXACT_LIMIT` passages go to average-linkage agglomerative clustering
(UPGMA, scipy), and the tree is cut into the number of clusters whose mean
silhouette (Rousseeuw 1987) is highest, trying about :data:`CUTS` numbers
spaced evenly on a log scale from 2 to one less than the passages. Average
linkage leaves a passage that is like no other on its own, so unrelated
turns do not pad a cluster; with interview turns, most of which say
something of their own, the best cut is fine (about one cluster for every
two passages), and the clusters that matter are the few that hold several.

More passages than :data:`EXACT_LIMIT` (a matrix of their distances would not
fit a laptop's memory) are first divided by k-means (scikit-learn, fixed seed)
on dense vectors, into parts of at most that many, and each part is clustered
as above. Either way the same passages give the same clusters.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Most passages clustered from their full matrix of distances.
EXACT_LIMIT = 3000
#: How many cuts of the tree are tried.
CUTS = 40
SEED = 0


def cut_by_silhouette(similarity: np.ndarray) -> np.ndarray:
    """Cluster labels (0..k-1) of passages from their square similarity matrix.

    Fewer than 3 passages, or no cut with a positive silhouette: all in cluster 0.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import silhouette_score

    n = len(similarity)
    best = np.zeros(n, dtype=np.int64)
    if n < 3:
        return best
    distance = np.clip(1 - (similarity + similarity.T) / 2, 0, 2)
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), method="average")
    best_score = 0.0
    for k in sorted({int(k) for k in np.geomspace(2, n - 1, CUTS)}):
        labels = fcluster(tree, k, criterion="maxclust") - 1
        if labels.max() < 1:
            continue
        score = float(silhouette_score(distance, labels, metric="precomputed"))
        if score > best_score + 1e-9:  # ties: fewer clusters
            best, best_score = labels.astype(np.int64), score
    return best


def cluster(n: int, similarity: Callable[[np.ndarray], np.ndarray],
            dense: Callable[[], np.ndarray], *, limit: int = EXACT_LIMIT) -> np.ndarray:
    """Cluster labels of ``n`` passages.

    ``similarity(rows)`` gives the square similarity matrix of those rows;
    ``dense()`` gives dense unit vectors of all ``n`` (asked for only when
    ``n`` exceeds ``limit``, to divide them by k-means first).
    """
    if n <= limit:
        return cut_by_silhouette(similarity(np.arange(n)))
    labels = np.zeros(n, dtype=np.int64)
    taken = 0
    for part in _parts(dense(), np.arange(n), limit):
        found = cut_by_silhouette(similarity(part))
        labels[part] = found + taken
        taken += int(found.max()) + 1
    return labels


def _parts(vectors: np.ndarray, rows: np.ndarray, limit: int) -> list[np.ndarray]:
    """``rows`` divided by k-means into parts of at most ``limit``, in a fixed order."""
    from sklearn.cluster import KMeans

    if len(rows) <= limit:
        return [rows]
    k = int(np.ceil(len(rows) / limit))
    labels = KMeans(n_clusters=k, n_init=3, random_state=SEED).fit_predict(vectors[rows])
    parts: list[np.ndarray] = []
    for label in range(k):
        members = rows[labels == label]
        if len(members) == len(rows):  # k-means could not divide them: cut by order
            return [rows[i:i + limit] for i in range(0, len(rows), limit)]
        if len(members):
            parts.extend(_parts(vectors, members, limit))
    return parts
