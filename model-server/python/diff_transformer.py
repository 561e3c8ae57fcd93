"""The Diff Transformer of dev.diffrag.model in PyTorch, for training on a lent GPU.

Why a second implementation: the GPU machine the project is lent for a few minutes has PyTorch but no JVM, and
the CUDA build of libtorch 2.5.1 that DJL 0.33 needs (over 1 GB) cannot travel to it. This file mirrors the Java
model op for op, top-down like DiffTransformer.java, under the same parameter names, so a checkpoint trained here
is a model.safetensors + config.json that ModelCheckpoint.load reads unchanged. PythonTrainerConformanceTest (Java)
checks that both give the same outputs on fixtures written by conformance.py.

Shapes: B batch, T tokens, h heads (as ModelConfig counts them), d head dim.
"""
import json
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

WEIGHT_STD = 0.02  # projections and embedding (Params.WEIGHT_STD)
LAMBDA_STD = 0.1  # DIFF V1's λ vectors (DiffAttentionV1.LAMBDA_STD)
MASKED = -1e9  # additive mask of a future key (AttentionBias.MASKED)
FORBIDDEN = -1e4  # added to positions a pointer may not point at (AnswerPointer.FORBIDDEN)


@dataclass(frozen=True)
class ModelConfig:
    """ModelConfig.java, field for field (its JSON is the checkpoint's config.json)."""
    dModel: int
    layers: int
    heads: int
    headDim: int
    attention: str  # DIFF_V1 | DIFF_V2 | VANILLA
    causal: bool
    vocabSize: int
    maxLength: int
    ropeTheta: float = 10000.0
    normEps: float = 1e-5
    lmHead: bool = False

    @staticmethod
    def of(attention, d_model, layers, head_dim, vocab_size, max_length, causal=True):
        """The head count that gives every kind the same parameter budget (ModelConfig.of)."""
        divisor = head_dim * (2 if attention == "DIFF_V1" else 1)
        assert d_model % divisor == 0, f"dModel {d_model} is not a multiple of {divisor} for {attention}"
        return ModelConfig(d_model, layers, d_model // divisor, head_dim, attention, causal, vocab_size, max_length)

    def ffn_hidden(self):
        """8/3·dModel rounded to 8; DIFF V2 gives back its larger q_proj and its lambda_proj here."""
        hidden = round_to_eight(8.0 * self.dModel / 3.0)
        if self.attention == "DIFF_V2":
            hidden -= round_to_eight((self.heads * self.headDim + self.heads) / 3.0)
        return max(8, hidden)

    def to_json(self):
        return json.dumps(asdict(self), indent=2)


def round_to_eight(value):
    return int(math.floor(value / 8.0 + 0.5)) * 8  # Java's Math.round


def lambda_init(layer):
    """λinit = 0.8 − 0.6·exp(−0.3·(l−1)) for layer l = 1..L."""
    return 0.8 - 0.6 * math.exp(-0.3 * (layer - 1))


class DiffTransformer(nn.Module):
    """Token embedding → L pre-norm blocks → final RMSNorm; the tied LM head is applied where asked."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocabSize, config.dModel)  # (vocab, dModel), also the LM head
        self.layers = nn.ModuleList(TransformerBlock(config, i) for i in range(config.layers))
        self.norm = RmsNorm(config.dModel, config.normEps)
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.named_parameters():
            if name.endswith("norm.weight") or name.endswith("subln.weight"):
                nn.init.ones_(p)
            elif ".lambda_" in name and not name.endswith("lambda_proj.weight"):
                nn.init.normal_(p, std=LAMBDA_STD)
            else:
                nn.init.normal_(p, std=WEIGHT_STD)

    def forward(self, ids):
        """(B, T) token ids → (B, T, dModel) hidden states after the final norm (causal; right padding is harmless
        because no real position attends to a later one)."""
        T = ids.shape[1]
        assert T <= self.config.maxLength, f"{T} positions exceed maxLength {self.config.maxLength}"
        cos, sin = rotary(T, self.config.headDim, self.config.ropeTheta, ids.device)  # (T, 1, d/2) each
        bias = causal_bias(T, ids.device) if self.config.causal else None  # (1, 1, T, T)
        x = self.embed_tokens(ids)  # (B, T, dModel)
        for layer in self.layers:
            x = layer(x, cos, sin, bias)
        return self.norm(x)

    def answer_logits(self, ids, positions):
        """Logits (B, A, vocab) of the predictions made at positions (B, A): AnswerLm.java."""
        hidden = self.forward(ids)  # (B, T, dModel)
        index = positions.unsqueeze(-1).expand(-1, -1, hidden.shape[-1])  # (B, A, dModel)
        return hidden.gather(1, index) @ self.embed_tokens.weight.t()  # (B, A, vocab)


class AnswerPointer(DiffTransformer):
    """AnswerPointer.java: the causal model without LM head plus two (D, D) matrices. At a question's last position
    its hidden state q scores every context position i as the answer's start, (W_s·q)·h_i/√D, and as its end,
    (W_e·q)·h_i/√D; the answer is copied from the context. Saved as pointer_start.weight and pointer_end.weight."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.pointer_start = nn.Linear(config.dModel, config.dModel, bias=False)  # q·Wᵀ, as Java applies it
        self.pointer_end = nn.Linear(config.dModel, config.dModel, bias=False)
        nn.init.normal_(self.pointer_start.weight, std=WEIGHT_STD)
        nn.init.normal_(self.pointer_end.weight, std=WEIGHT_STD)

    def pointer_logits(self, ids, queries, context_mask):
        """Start then end scores (B, 2A, T) of the questions whose last positions are queries (B, A); positions
        outside the context (context_mask (B, T) 0) get FORBIDDEN added: PointerBatches' layout."""
        hidden = self.forward(ids)  # (B, T, D)
        index = queries.unsqueeze(-1).expand(-1, -1, hidden.shape[-1])  # (B, A, D)
        q = hidden.gather(1, index)  # (B, A, D)
        keys = hidden.transpose(1, 2) / math.sqrt(hidden.shape[-1])  # (B, D, T)
        bias = ((1 - context_mask.float()) * FORBIDDEN).unsqueeze(1)  # (B, 1, T)
        return torch.cat((self.pointer_start(q) @ keys + bias, self.pointer_end(q) @ keys + bias), 1)  # (B, 2A, T)


class TransformerBlock(nn.Module):
    """x = x + Attn(RMSNorm(x)); x = x + SwiGLU(RMSNorm(x))."""

    def __init__(self, config, index):
        super().__init__()
        self.attn_norm = RmsNorm(config.dModel, config.normEps)
        kind = {"DIFF_V1": DiffAttentionV1, "DIFF_V2": DiffAttentionV2, "VANILLA": MultiHeadAttention}
        self.attn = kind[config.attention](config, index)
        self.ffn_norm = RmsNorm(config.dModel, config.normEps)
        self.ffn = SwiGlu(config.dModel, config.ffn_hidden())

    def forward(self, x, cos, sin, bias):
        h = x + self.attn(self.attn_norm(x), cos, sin, bias)
        return h + self.ffn(self.ffn_norm(h))


class DiffAttentionV1(nn.Module):
    """A_i = softmax(Q1K1ᵀ/√d) − λ·softmax(Q2K2ᵀ/√d); out_i = RMSNorm(A_i·V_i)·(1 − λinit); h = dModel/(2d)."""

    def __init__(self, config, index):
        super().__init__()
        h, d = config.heads, config.headDim
        self.h, self.d = h, d
        self.q_proj = nn.Linear(config.dModel, 2 * h * d, bias=False)
        self.k_proj = nn.Linear(config.dModel, 2 * h * d, bias=False)
        self.v_proj = nn.Linear(config.dModel, 2 * h * d, bias=False)
        self.out_proj = nn.Linear(2 * h * d, config.dModel, bias=False)
        self.lambda_q1 = nn.Parameter(torch.zeros(d))
        self.lambda_k1 = nn.Parameter(torch.zeros(d))
        self.lambda_q2 = nn.Parameter(torch.zeros(d))
        self.lambda_k2 = nn.Parameter(torch.zeros(d))
        self.subln = RmsNorm(2 * d, config.normEps)
        self.lambda_init = lambda_init(index + 1)

    def forward(self, x, cos, sin, bias):
        B, T, _ = x.shape
        h, d = self.h, self.d
        q = rotate(self.q_proj(x).view(B, T, 2 * h, d), cos, sin).transpose(1, 2)  # (B, 2h, T, d)
        k = rotate(self.k_proj(x).view(B, T, 2 * h, d), cos, sin).transpose(1, 2)  # (B, 2h, T, d)
        v = self.v_proj(x).view(B, T, h, 2 * d).transpose(1, 2)  # (B, h, T, 2d)
        scores = (q * d ** -0.5) @ k.transpose(-1, -2)  # (B, 2h, T, T)
        pairs = softmax32(scores, bias).view(B, h, 2, T, T)  # (B, h, 2, T, T) float32
        lam = (torch.exp((self.lambda_q1.float() * self.lambda_k1.float()).sum())
               - torch.exp((self.lambda_q2.float() * self.lambda_k2.float()).sum()) + self.lambda_init)  # ()
        attention_map = pairs[:, :, 0] - lam * pairs[:, :, 1]  # (B, h, T, T)
        out = attention_map.to(v.dtype) @ v  # (B, h, T, 2d)
        out = self.subln(out) * (1 - self.lambda_init)
        return self.out_proj(out.transpose(1, 2).reshape(B, T, h * 2 * d))  # (B, T, dModel)


class DiffAttentionV2(nn.Module):
    """2h query heads share h KV heads (query heads 2i, 2i+1 read head i); out_i = attn_2i − sigmoid(λ_t,i)·attn_2i+1
    with λ_t = x·W_λᵀ per token and head; computed as (P_2i − w·P_2i+1)·V_i."""

    def __init__(self, config, index):
        super().__init__()
        h, d = config.heads, config.headDim
        self.h, self.d = h, d
        self.q_proj = nn.Linear(config.dModel, 2 * h * d, bias=False)
        self.k_proj = nn.Linear(config.dModel, h * d, bias=False)
        self.v_proj = nn.Linear(config.dModel, h * d, bias=False)
        self.o_proj = nn.Linear(h * d, config.dModel, bias=False)
        self.lambda_proj = nn.Linear(config.dModel, h, bias=False)

    def forward(self, x, cos, sin, bias):
        B, T, _ = x.shape
        h, d = self.h, self.d
        q = rotate(self.q_proj(x).view(B, T, 2 * h, d), cos, sin).transpose(1, 2)  # (B, 2h, T, d)
        k = rotate(self.k_proj(x).view(B, T, h, d), cos, sin).transpose(1, 2)  # (B, h, T, d)
        v = self.v_proj(x).view(B, T, h, d).transpose(1, 2)  # (B, h, T, d)
        paired = (q * d ** -0.5).reshape(B, h, 2 * T, d)  # (B, h, 2T, d): a pair's two heads on the query axis
        scores = (paired @ k.transpose(-1, -2)).view(B, h, 2, T, T)  # (B, h, 2, T, T)
        pairs = softmax32(scores, None if bias is None else bias.unsqueeze(1))  # float32
        weight = torch.sigmoid(self.lambda_proj(x).transpose(1, 2).unsqueeze(-1).float())  # (B, h, T, 1)
        attention_map = pairs[:, :, 0] - weight * pairs[:, :, 1]  # (B, h, T, T)
        out = attention_map.to(v.dtype) @ v  # (B, h, T, d)
        return self.o_proj(out.transpose(1, 2).reshape(B, T, h * d))  # (B, T, dModel)


class MultiHeadAttention(nn.Module):
    """The vanilla baseline: H = dModel/d heads, RoPE on q and k, no biases."""

    def __init__(self, config, index):
        super().__init__()
        h, d = config.heads, config.headDim
        self.h, self.d = h, d
        self.q_proj = nn.Linear(config.dModel, h * d, bias=False)
        self.k_proj = nn.Linear(config.dModel, h * d, bias=False)
        self.v_proj = nn.Linear(config.dModel, h * d, bias=False)
        self.out_proj = nn.Linear(h * d, config.dModel, bias=False)

    def forward(self, x, cos, sin, bias):
        B, T, _ = x.shape
        h, d = self.h, self.d
        q = rotate(self.q_proj(x).view(B, T, h, d), cos, sin).transpose(1, 2)  # (B, H, T, d)
        k = rotate(self.k_proj(x).view(B, T, h, d), cos, sin).transpose(1, 2)  # (B, H, T, d)
        v = self.v_proj(x).view(B, T, h, d).transpose(1, 2)  # (B, H, T, d)
        probabilities = softmax32((q * d ** -0.5) @ k.transpose(-1, -2), bias)  # (B, H, T, T) float32
        out = probabilities.to(v.dtype) @ v  # (B, H, T, d)
        return self.out_proj(out.transpose(1, 2).reshape(B, T, h * d))  # (B, T, dModel)


class SwiGlu(nn.Module):
    """w2(silu(w1·x) ⊙ w3·x), no biases."""

    def __init__(self, d_model, hidden):
        super().__init__()
        self.w1 = nn.Linear(d_model, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d_model, bias=False)
        self.w3 = nn.Linear(d_model, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class RmsNorm(nn.Module):
    """x / sqrt(mean(x²) + eps) · g in float32, returned in x's type."""

    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.square().mean(-1, keepdim=True) + self.eps) * self.weight.float()).to(x.dtype)


def softmax32(scores, bias):
    """Softmax over keys in float32 after adding the mask."""
    logits = scores.float()
    return (logits if bias is None else logits + bias).softmax(-1)


def causal_bias(T, device):
    """(1, 1, T, T): 0 where the key is not in the query's future, MASKED where it is."""
    future = torch.ones(T, T, dtype=torch.bool, device=device).triu(1)
    return (future.float() * MASKED).view(1, 1, T, T)


def rotary(T, d, theta, device):
    """cos, sin (T, 1, d/2) for positions 0..T−1: channel pair (2j, 2j+1) turns by p·θ^(−2j/d)."""
    positions = torch.arange(T, dtype=torch.float32, device=device).view(T, 1)
    inverse_frequency = torch.tensor(theta, dtype=torch.float32, device=device).pow(
        -(torch.arange(0, d, 2, dtype=torch.float32, device=device) / d))  # (d/2)
    angles = positions * inverse_frequency.view(1, d // 2)  # (T, d/2)
    return angles.cos().unsqueeze(1), angles.sin().unsqueeze(1)


def rotate(x, cos, sin):
    """(B, T, H, d) → (B, T, H, d), the interleaved layout of the reference code, in float32."""
    B, T, H, d = x.shape
    pairs = x.float().reshape(B, T, H, d // 2, 2)
    even, odd = pairs[..., 0], pairs[..., 1]  # (B, T, H, d/2)
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), -1).reshape(B, T, H, d).to(x.dtype)
