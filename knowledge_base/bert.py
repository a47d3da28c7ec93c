"""One question through a BERT sentence encoder (MiniLM: Transformer, mean pooling, normalise) as plain
tensor operations, for search time.

sentence-transformers' `encode()` and the Hugging Face modules spend about as long on per-call
machinery (input dispatch, length sorting, feature dicts, module hooks, attention-backend selection)
as on the matrix work of one short question, and MKL's products run at half oneDNN's speed on a few
dozen rows; here the weights are packed once for oneDNN (GELU fused into its product) and one
question costs ~50 tensor calls. The vectors are those of `encode()` to within 1e-6 (checked on
probe texts when the forward pass is built, and on every test question in the tests), so an index
built with `encode()` serves questions encoded here.
"""
from __future__ import annotations

import numpy as np

# checked when the forward pass is built: a model these operations do not reproduce keeps encode()
PROBES = ("dang ky khai sinh cho con", "How do I renew my passport?", "thu tuc " * 80)
TOLERANCE = 1e-5
# oneDNN lays each weight out for products of about this many rows: a question's tokens (21 p50, 37 p95
# on the test questions); packed for 1 row, a question took ~1.4x as long
PACKED_ROWS = 32


class BertQuestionForward:
    """The encoder's forward pass, mean pooling and normalisation for one text, without padding."""

    def __init__(self, model):
        import torch

        transformer = model[0]
        bert = transformer.auto_model
        config = bert.config
        self._torch = torch
        self._tokenizer = transformer.tokenizer
        self._max_tokens = int(model.max_seq_length)
        self._heads = config.num_attention_heads
        self._width = config.hidden_size
        embeddings = bert.embeddings
        self._words = embeddings.word_embeddings.weight
        self._positions = embeddings.position_embeddings.weight
        self._segment = embeddings.token_type_embeddings.weight[0]
        self._embedding_norm = _norm(embeddings.LayerNorm)
        # oneDNN's product is ~1.5x MKL's for a few dozen rows; the plain linear where it is absent
        self._packed = _packed_linear_available(torch)
        self._layers = []
        for layer in bert.encoder.layer:
            attention = layer.attention.self
            query_key_value = (torch.cat([attention.query.weight, attention.key.weight, attention.value.weight]),
                               torch.cat([attention.query.bias, attention.key.bias, attention.value.bias]))
            self._layers.append((
                self._pack(*query_key_value),
                self._pack(layer.attention.output.dense.weight, layer.attention.output.dense.bias),
                _norm(layer.attention.output.LayerNorm),
                self._pack(layer.intermediate.dense.weight, layer.intermediate.dense.bias),
                self._pack(layer.output.dense.weight, layer.output.dense.bias),
                _norm(layer.output.LayerNorm),
            ))

    @classmethod
    def for_model(cls, model) -> "BertQuestionForward | None":
        """The forward pass of this sentence-transformers model, or None when it is not a plain BERT
        with mean pooling or the operations here do not give encode()'s vectors."""
        if not _is_plain_bert(model):
            return None
        forward = cls(model)
        expected = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
        got = np.stack([forward.encode(text) for text in PROBES])
        return forward if float(np.abs(got - expected).max()) <= TOLERANCE else None

    def _pack(self, weight, bias):
        weight, bias = weight.detach().clone(), bias.detach().clone()
        return (self._torch.ops.mkldnn._reorder_linear_weight(weight, PACKED_ROWS) if self._packed else weight), bias

    def _linear(self, x, weights, activation: str = "none"):
        if self._packed:
            # the fused product inductor uses on CPU; "none" after "gelu" is exact GELU (not tanh's)
            return self._torch.ops.mkldnn._linear_pointwise(x, *weights, activation, [],
                                                           "none" if activation == "gelu" else "")
        y = self._torch.nn.functional.linear(x, *weights)
        return self._torch.nn.functional.gelu(y) if activation == "gelu" else y

    def encode(self, text: str) -> np.ndarray:
        """The unit vector of one (already prepared) text."""
        torch = self._torch
        functional = torch.nn.functional
        ids = self._tokenizer(text, truncation=True, max_length=self._max_tokens, return_tensors="pt")["input_ids"][0]
        n, heads, width = ids.shape[0], self._heads, self._width
        head_width = width // heads
        scale = head_width ** -0.5
        with torch.inference_mode():
            x = self._embedding_norm(self._words[ids] + self._segment + self._positions[:n])
            for query_key_value, output, output_norm, intermediate, last, last_norm in self._layers:
                query, key, value = self._linear(x, query_key_value).view(n, 3, heads, head_width).permute(1, 2, 0, 3)
                attended = torch.softmax(query @ key.transpose(1, 2) * scale, dim=-1) @ value
                x = output_norm(self._linear(attended.transpose(0, 1).reshape(n, width), output) + x)
                x = last_norm(self._linear(self._linear(x, intermediate, "gelu"), last) + x)
            return functional.normalize(x.mean(dim=0), p=2, dim=0).numpy()


def _packed_linear_available(torch) -> bool:
    """Whether this torch has oneDNN's packed, fused linear (a private op: checked, never assumed)."""
    try:
        weight = torch.ops.mkldnn._reorder_linear_weight(torch.ones(2, 2), 1)
        torch.ops.mkldnn._linear_pointwise(torch.ones(1, 2), weight, torch.zeros(2), "gelu", [], "none")
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


def _norm(layer_norm):
    import torch

    weight, bias, eps = layer_norm.weight, layer_norm.bias, layer_norm.eps
    return lambda x: torch.nn.functional.layer_norm(x, weight.shape, weight, bias, eps)


def _is_plain_bert(model) -> bool:
    """Transformer(BERT, absolute positions, exact GELU) + mean Pooling (+ Normalize), nothing else."""
    try:
        modules = list(model)
        names = [type(m).__name__ for m in modules]
        config = modules[0].auto_model.config
    except (TypeError, AttributeError, IndexError):
        return False
    return (names in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
            and getattr(config, "model_type", None) == "bert"
            and getattr(config, "position_embedding_type", "absolute") == "absolute"
            and getattr(config, "hidden_act", None) == "gelu"
            and modules[1].pooling_mode in ("mean", ("mean",), ["mean"])
            and modules[0].tokenizer is not None)
