"""FAISS storage of passage vectors: exact inner product for small corpora, IVF above a threshold."""
from __future__ import annotations

import math

import faiss
import numpy as np


def build_vector_index(vectors: np.ndarray, approximate_above: int) -> faiss.Index:
    n, dim = vectors.shape
    if n <= approximate_above:
        index = faiss.IndexFlatIP(dim)
    else:
        nlist = int(4 * math.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(n, size=min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.nprobe = max(8, nlist // 32)
    index.add(vectors)
    return index


def index_kind(index: faiss.Index) -> str:
    return "ivf" if isinstance(index, faiss.IndexIVF) else "flat"


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """All passage vectors, row by row (an IVF index needs its direct map to give them back)."""
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()
    return index.reconstruct_n(0, index.ntotal)


def search_vectors(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Cosine scores and passage numbers of the k nearest passages (-1 where fewer exist)."""
    scores, ids = index.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), k)
    return scores[0], ids[0]


def save(index: faiss.Index, path: str) -> None:
    faiss.write_index(index, path)


def load(path: str) -> faiss.Index:
    index = faiss.read_index(path)
    if isinstance(index, faiss.IndexIVF):
        index.nprobe = max(8, index.nlist // 32)
    return index
