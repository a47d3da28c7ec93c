"""The question pass of bert.py with its matrix products in 8-bit integers: about twice as fast on a
CPU with VNNI, vectors within a small angle of encode()'s (the index keeps its float32 passages).
The default (KB_QUESTION_PRECISION, encoder.py); the float32 pass stays beside it, for the questions
whose decisions (answer or decline, which choice first) int8's error could change (retrieval.py).

Plain per-tensor int8 activations lose the few outlier channels BERT's hidden states carry (cosine to
encode()'s 0.992 on average, 0.984 at worst over the eval and dev questions); as in SmoothQuant (Xiao et al.,
2023) each product's input channels are divided by s = max|x|^α / max|w|^(1-α) and the weight columns
multiplied by it, so activations and weights share the difficulty (0.998 on average, 0.996 at worst,
α = 0.7 of 0.5-0.9). The maxima |x| come from fixed texts (question_calibration.txt: names and aliases
of records, never question files), so every machine builds the same pass.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .bert import PROBES, BertQuestionForward

CALIBRATION_FILE = Path(__file__).with_name("question_calibration.txt")
ALPHA = 0.7
# the int8 pass is used only if every probe and calibration text keeps this cosine to encode()'s
MIN_COSINE = 0.99


def calibration_texts(path: Path = CALIBRATION_FILE) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line for line in lines if line.strip() and not line.startswith("#")]


class _InputMaxima(BertQuestionForward):
    """The float32 pass, recording each product's largest |input| per channel."""

    def __init__(self, model):
        self._count = 0
        self.maxima: dict[int, object] = {}
        super().__init__(model)

    def _pack(self, weight, bias):
        self._count += 1
        return self._count - 1, weight.detach(), bias.detach()

    def _linear(self, x, weights, activation: str = "none"):
        number, weight, bias = weights
        seen = x.abs().amax(dim=0)
        self.maxima[number] = seen if number not in self.maxima else self._torch.maximum(self.maxima[number], seen)
        y = self._torch.nn.functional.linear(x, weight, bias)
        return self._torch.nn.functional.gelu(y) if activation == "gelu" else y


class Int8QuestionForward(BertQuestionForward):
    """Smoothed weights quantised per output channel; activations quantised per call (fbgemm/x86)."""

    def __init__(self, model, maxima: dict, alpha: float = ALPHA):
        self.exact: BertQuestionForward | None = None  # set by for_model
        self._count = 0
        self._maxima = maxima
        self._alpha = alpha
        # VNNI's products do not saturate, so activations keep all 8 bits; AVX2's pairwise products can
        self._reduce_range = not _has_vnni()
        super().__init__(model)

    @classmethod
    def for_model(cls, model, texts: list[str] | None = None) -> "Int8QuestionForward | None":
        """The int8 pass of this plain-BERT model, or None when this torch cannot run it or its vectors
        stray from encode()'s (then the float32 pass of bert.py answers)."""
        texts = calibration_texts() if texts is None else texts
        exact = BertQuestionForward.for_model(model) if texts else None
        if exact is None:
            return None
        try:
            recorder = _InputMaxima(model)
            for text in texts:
                recorder.encode(text)
            forward = cls(model, recorder.maxima)
            checked = list(PROBES) + texts[::10]
            got = np.stack([forward.encode(text) for text in checked])
        except (RuntimeError, NotImplementedError, AttributeError):
            return None
        expected = model.encode(checked, normalize_embeddings=True, convert_to_numpy=True)
        if float((got * expected).sum(axis=1).min()) < MIN_COSINE:
            return None
        forward.exact = exact  # encode()'s vectors, for the questions whose decision int8 could change
        return forward

    def _pack(self, weight, bias):
        torch = self._torch
        number, self._count = self._count, self._count + 1
        weight = weight.detach().float()
        smoothing = (self._maxima[number].clamp_min(1e-5) ** self._alpha
                     / weight.abs().amax(dim=0).clamp_min(1e-5) ** (1 - self._alpha)).clamp_min(1e-5)
        weight = weight * smoothing[None, :]
        scales = (weight.abs().amax(dim=1) / 127.0).clamp_min(1e-12).double()
        with warnings.catch_warnings():
            # torch 2.13 announces the removal of quantised tensors; then for_model's except keeps float32
            warnings.simplefilter("ignore", UserWarning)
            quantised = torch.quantize_per_channel(weight, scales, torch.zeros(weight.shape[0], dtype=torch.long), 0,
                                                   torch.qint8)
        return torch.ops.quantized.linear_prepack(quantised, bias.detach().float()), (1 / smoothing).contiguous()

    def _linear(self, x, weights, activation: str = "none"):
        packed, inverse_smoothing = weights
        y = self._torch.ops.quantized.linear_dynamic(x * inverse_smoothing, packed, self._reduce_range)
        return self._torch.nn.functional.gelu(y) if activation == "gelu" else y


def _has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        flags = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags
