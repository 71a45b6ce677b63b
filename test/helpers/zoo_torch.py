"""PyTorch twins of zoo models whose tests (forward and gradients) share
them: examples/style_transfer.net and examples/siamese_triplet.net, with
the .net files' parameter names."""

import torch
import torch.nn as nn
import torch.nn.functional as F

# --- examples/style_transfer.net -------------------------------------------

ALPHA, BETA = 1.0, 5e4
STYLE_WEIGHTS = (0.2, 0.3, 0.5)         # relu1_2, relu2_2, relu3_2
TAPS = {3: "relu1_2", 8: "relu2_2", 13: "relu3_2"}   # features.K


class VGGFeatures(nn.Module):
    """vgg16().features[:14] at widths 16/32/64; returns the three taps."""

    def __init__(self):
        super().__init__()
        layers, c_in = [], 3
        for stage, width in enumerate((16, 32, 64)):
            if stage:
                layers.append(nn.MaxPool2d(2))
            for _ in range(2):
                layers += [nn.Conv2d(c_in, width, 3, padding=1), nn.ReLU()]
                c_in = width
        self.features = nn.Sequential(*layers)

    def forward(self, x):
        taps = []
        for k, m in enumerate(self.features):
            x = m(x)
            if k in TAPS:
                taps.append(x)
        return taps


def gram(a):
    f = a.flatten(2)
    return f @ f.transpose(1, 2)


def content_cost(a_c, a_g):          # per batch item
    return 0.5 * ((a_c - a_g) ** 2).flatten(1).sum(1)


def style_cost(a_s, a_g):            # per batch item
    _, c, h, w = a_s.shape
    return ((gram(a_s) - gram(a_g)) ** 2).sum((1, 2)) / (2 * h * w * c) ** 2


class StyleTransfer(nn.Module):
    def __init__(self):
        super().__init__()
        self.vgg = VGGFeatures()     # one set of weights for all three images

    def forward(self, content, style, generated):
        c, s, g = self.vgg(content), self.vgg(style), self.vgg(generated)
        jc = content_cost(c[1], g[1])
        per_layer = [style_cost(s[i], g[i]) for i in range(3)]
        js = sum(w * j for w, j in zip(STYLE_WEIGHTS, per_layer))
        out = {"gen_" + name: g[i] for i, name in enumerate(TAPS.values())}
        out.update({"J_content": jc.mean(), "J_style": js.mean(),
                    "J": (ALPHA * jc + BETA * js).mean()})
        # Not outputs of the .net (popped before comparing): for the report.
        out["per_item_content"] = jc
        out["per_item_style"] = js
        out["per_layer_style"] = torch.stack([j.mean() for j in per_layer])
        return out


# --- examples/siamese_triplet.net ------------------------------------------

class Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 8 * 8, 64)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.normalize(self.fc(torch.flatten(x, 1)), dim=1)


class Triplet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = Embedding()   # one set of weights for all three

    def forward(self, a, p, n):
        ea, ep, en = self.embed(a), self.embed(p), self.embed(n)
        per_item = torch.clamp(((ea - ep) ** 2).sum(1) -
                               ((ea - en) ** 2).sum(1) + 0.2, min=0)
        return {"emb_anchor": ea, "emb_positive": ep, "emb_negative": en,
                "t": per_item.mean(), "per_item": per_item}
