#!/usr/bin/env python3
"""Writes a tiny CLIP-shaped ONNX pair with random weights, a BPE vocabulary for it, and reference values.

Tests cannot download a real CLIP, so they run the whole CLIP path (ONNX Runtime, SelectBench's tokenizer, the
CLIPScore and CLIP-IQA formulas) on this fixture instead. The weights are random (torch seed SEED): the numbers mean
nothing, but the input and output names and shapes are those of a CLIP exported from Hugging Face's CLIPModel, the
preprocessing is OpenAI CLIP's, and each tower is CLIP's architecture cut to one residual attention block (the
image tower pools the mean of its tokens rather than the class token; see ImageTower.forward):

  image.onnx  pixel_values float32 [batch, 3, 32, 32], CLIP-normalised   -> image_embeds float32 [batch, 32]
  text.onnx   input_ids int64 [batch, 77], attention_mask int64 [batch, 77] -> text_embeds float32 [batch, 32]
  vocab.json, merges.txt   a byte-pair vocabulary in CLIP's format (openai/CLIP clip/simple_tokenizer.py):
              single characters, the same with "</w>", the merges' results, then <|startoftext|> and
              <|endoftext|> as the two highest ids (the text tower pools at argmax(input_ids), as CLIP does).
  expected.json  token ids and embeddings of fixed prompts and images computed here by PyTorch, plus CLIPScore
              and CLIP-IQA on them, for tests/SelectBench.Tests/Encoders/ClipPairTests.cs and
              tests/SelectBench.Tests/Evaluation/Metrics/ClipMetricsTests.cs.

Run with Debian's python3 (apt-get install python3-torch python3-onnx python3-numpy):
  /usr/bin/python3 scripts/clip-fixture/make_fixture.py [output folder]
The default output folder is tests/SelectBench.Tests/Fixtures/clip. The output is the same on every run with the
same torch version (1.13 here).
"""
import json
import math
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

WIDTH = 32          # transformer width of both towers
EMBED = 32          # shared embedding dimension
HEADS = 4
CONTEXT = 77        # CLIP's context length
IMAGE_SIZE = 32
PATCH = 8
# The first torch seed (of 0, 1, ...) whose two reference images fall on both sides of CLIPScore's max(cos, 0)
# and whose CLIP-IQA values are not saturated (between 0.05 and 0.95), so the tests exercise every branch.
SEED = 4
# OpenAI CLIP's image normalisation (openai/CLIP clip/clip.py, _transform).
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

FASHION_MNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
NUMBERED = [f"class{i}" for i in range(10)]          # LabelSet.Numbered, the synthetic worlds' names
PROMPT_TEMPLATE = "a photo of a {class}."             # class-query-search's and CLIPScore's caption
QUALITY_PROMPTS = ["Good photo.", "Bad photo."]      # CLIP-IQA's antonym pair (torchmetrics "quality")
CORPUS = [PROMPT_TEMPLATE.replace("{class}", c) for c in FASHION_MNIST + NUMBERED] + QUALITY_PROMPTS
EXPECTED_PROMPTS = ["a photo of a T-shirt/top.", "Good photo.", "Bad photo."]


# ---------------------------------------------------------------- tokenizer (CLIP's simple_tokenizer, ASCII only)

# CLIP's pre-tokenisation pattern with ASCII classes in place of \p{L} / \p{N}; the corpus is ASCII.
PATTERN = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+")


def words(text):
    return PATTERN.findall(re.sub(r"\s+", " ", text.strip()).lower())


def symbols(word):
    return list(word[:-1]) + [word[-1] + "</w>"]


def learn_merges(corpus):
    """Plain BPE training: merge the most frequent adjacent pair (ties: smallest pair) until every word is one symbol."""
    counts = {}
    for text in corpus:
        for w in words(text):
            counts[w] = counts.get(w, 0) + 1
    split = {w: symbols(w) for w in counts}
    merges = []
    while True:
        pairs = {}
        for w, syms in split.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + counts[w]
        if not pairs:
            return merges
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w, syms in split.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            split[w] = out


def bpe(word, ranks):
    """openai/CLIP simple_tokenizer.SimpleTokenizer.bpe: apply the lowest-ranked merge until none applies."""
    syms = symbols(word)
    while len(syms) > 1:
        pairs = [(ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(syms, syms[1:]))]
        rank, _ = min(pairs)
        if rank == math.inf:
            break
        a, b = next((syms[i], syms[i + 1]) for r, i in pairs if r == rank)
        out, i = [], 0
        while i < len(syms):
            if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(syms[i])
                i += 1
        syms = out
    return syms


def build_vocabulary(corpus):
    # CLIP's order: characters, characters + "</w>", merge results, then the two special tokens.
    chars = [chr(c) for c in range(33, 127) if not ("A" <= chr(c) <= "Z")]  # lower-cased text has no capitals
    vocab = chars + [c + "</w>" for c in chars]
    merges = learn_merges(corpus)
    vocab += [a + b for a, b in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(set(vocab)) == len(vocab), "duplicate vocabulary entries"
    return {t: i for i, t in enumerate(vocab)}, merges


def tokenize(text, vocab, ranks):
    """clip.tokenize: start, BPE ids, end, zero padding to CONTEXT; and the attention mask."""
    body = [vocab[s] for w in words(text) for s in bpe(w, ranks)]
    ids = [vocab["<|startoftext|>"]] + body[:CONTEXT - 2] + [vocab["<|endoftext|>"]]
    mask = [1] * len(ids) + [0] * (CONTEXT - len(ids))
    return ids + [0] * (CONTEXT - len(ids)), mask


# ---------------------------------------------------------------- towers (CLIP's architecture, one block each)

class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    """CLIP's ResidualAttentionBlock: pre-norm attention and a 4x MLP with QuickGELU."""

    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.qkv, self.out = nn.Linear(WIDTH, 3 * WIDTH), nn.Linear(WIDTH, WIDTH)
        self.mlp = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), QuickGELU(), nn.Linear(4 * WIDTH, WIDTH))

    def attention(self, x, bias):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, HEADS, WIDTH // HEADS).permute(2, 0, 3, 1, 4).unbind(0)
        scores = q @ k.transpose(-1, -2) / math.sqrt(WIDTH // HEADS)
        if bias is not None:
            scores = scores + bias
        return self.out((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, WIDTH))

    def forward(self, x, bias=None):
        x = x + self.attention(self.ln_1(x), bias)
        return x + self.mlp(self.ln_2(x))


class TextTower(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, WIDTH)
        # Wider than CLIP's std 0.02, so that with one random block different prompts get clearly different embeddings.
        nn.init.normal_(self.token_embedding.weight, std=0.2)
        self.positional_embedding = nn.Parameter(torch.randn(CONTEXT, WIDTH) * 0.1)
        self.block = Block()
        self.ln_final = nn.LayerNorm(WIDTH)
        self.text_projection = nn.Parameter(torch.randn(WIDTH, EMBED) / math.sqrt(WIDTH))

    def forward(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.positional_embedding[:t]
        # Causal mask (CLIP's build_attention_mask) plus the padding mask (Hugging Face's CLIPTextModel).
        causal = torch.triu(torch.full((t, t), -1e9), diagonal=1)
        padding = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        x = self.ln_final(self.block(x, causal + padding))
        # CLIP pools the end-of-text token, the highest id of the row.
        pooled = x[torch.arange(x.shape[0]), input_ids.argmax(dim=-1)]
        return pooled @ self.text_projection


class ImageTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTH, kernel_size=PATCH, stride=PATCH, bias=False)
        tokens = (IMAGE_SIZE // PATCH) ** 2 + 1
        self.class_embedding = nn.Parameter(torch.randn(WIDTH) * 0.1)
        self.positional_embedding = nn.Parameter(torch.randn(tokens, WIDTH) * 0.1)
        self.ln_pre, self.ln_post = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.block = Block()
        self.proj = nn.Parameter(torch.randn(WIDTH, EMBED) / math.sqrt(WIDTH))

    def forward(self, pixel_values):
        x = self.conv1(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, WIDTH)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding)
        # Mean of all tokens, not CLIP's class token: with one random block the class token barely depends on
        # the image (two different images came out at cosine 0.99).
        return self.ln_post(self.block(x).mean(dim=1)) @ self.proj


# ---------------------------------------------------------------- reference inputs

def fixed_images():
    """Two images stored as SelectBench stores them (uint8, channel planes): RGB 32x32 and grey 28x28."""
    rng = np.random.RandomState(0)
    rgb = rng.randint(0, 256, size=(3, IMAGE_SIZE, IMAGE_SIZE)).astype(np.uint8)
    yy, xx = np.mgrid[0:28, 0:28]
    disc = 255.0 * np.exp(-((yy - 13.5) ** 2 + (xx - 10.0) ** 2) / 60.0)
    grey = np.clip(disc + rng.randint(0, 40, size=(28, 28)), 0, 255).astype(np.uint8)[None]
    return [("rgb32", rgb), ("grey28", grey)]


def preprocess(pixels):
    """What OnnxImageEncoder does: bilinear resize with half-pixel centres (no antialias), grey to three
    channels, scale to [0, 1], subtract CLIP's mean and divide by its std."""
    x = torch.tensor(pixels, dtype=torch.float32)[None]
    if x.shape[-1] != IMAGE_SIZE or x.shape[-2] != IMAGE_SIZE:
        x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    if x.shape[1] == 1:
        x = x.expand(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (x / 255.0 - mean) / std


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "SelectBench.Tests", "Fixtures", "clip")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)

    vocab, merges = build_vocabulary(CORPUS)
    ranks = {m: i for i, m in enumerate(merges)}
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, indent=0, ensure_ascii=True)
        f.write("\n")
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")

    text, image = TextTower(len(vocab)).eval(), ImageTower().eval()
    for tower in (text, image):
        for norm in (m for m in tower.modules() if isinstance(m, nn.LayerNorm)):
            # Random gains and offsets: with PyTorch's (1, 0) every output of a one-block tower points nearly
            # the same way.
            nn.init.normal_(norm.weight, 1.0, 0.5)
            nn.init.normal_(norm.bias, 0.0, 0.5)
    ids = torch.zeros(2, CONTEXT, dtype=torch.long)
    mask = torch.ones(2, CONTEXT, dtype=torch.long)
    torch.onnx.export(text, (ids, mask), os.path.join(out, "text.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["text_embeds"], opset_version=17,
                      dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_embeds": {0: "batch"}})
    torch.onnx.export(image, torch.zeros(2, 3, IMAGE_SIZE, IMAGE_SIZE), os.path.join(out, "image.onnx"),
                      input_names=["pixel_values"], output_names=["image_embeds"], opset_version=17,
                      dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})

    with torch.no_grad():
        prompts = []
        for p in EXPECTED_PROMPTS:
            row_ids, row_mask = tokenize(p, vocab, ranks)
            emb = text(torch.tensor([row_ids]), torch.tensor([row_mask]))[0]
            prompts.append({"text": p, "token_ids": [i for i in row_ids if i != 0],
                            "text_embeds": [float(v) for v in emb]})
        images = []
        for name, pixels in fixed_images():
            emb = image(preprocess(pixels))[0]
            images.append({"name": name, "channels": int(pixels.shape[0]), "height": int(pixels.shape[1]),
                           "width": int(pixels.shape[2]), "pixels": [int(v) for v in pixels.reshape(-1)],
                           "image_embeds": [float(v) for v in emb]})

    # The metrics on these numbers, in float64: CLIPScore = 100 max(cos, 0) with the first prompt as every
    # image's caption (Hessel et al. 2021 with w = 100); CLIP-IQA = softmax(100 [cos good, cos bad])[good]
    # (torchmetrics' _clip_iqa_compute).
    def unit(v):
        v = np.asarray(v, dtype=np.float64)
        return v / np.linalg.norm(v)

    img = [unit(i["image_embeds"]) for i in images]
    txt = [unit(p["text_embeds"]) for p in prompts]
    clip_scores = [100.0 * max(float(i @ txt[0]), 0.0) for i in img]
    iqa = []
    for i in img:
        logits = 100.0 * np.array([i @ txt[1], i @ txt[2]])
        e = np.exp(logits - logits.max())
        iqa.append(float(e[0] / e.sum()))

    expected = {
        "generator": "scripts/clip-fixture/make_fixture.py (torch %s, seed %d)" % (torch.__version__, SEED),
        "image_size": IMAGE_SIZE, "context_length": CONTEXT, "dimension": EMBED,
        "mean": CLIP_MEAN, "std": CLIP_STD,
        "prompts": prompts, "images": images,
        "clip_score_caption": EXPECTED_PROMPTS[0], "clip_score_per_image": clip_scores,
        "clip_iqa_prompts": QUALITY_PROMPTS, "clip_iqa_per_image": iqa,
    }
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for name in ["image.onnx", "text.onnx", "vocab.json", "merges.txt", "expected.json"]:
        print(f"{os.path.join(out, name)}: {os.path.getsize(os.path.join(out, name))} bytes")


if __name__ == "__main__":
    main()
