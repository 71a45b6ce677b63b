"""PyTorch twins of zoo models whose tests (forward and gradients) share
them: examples/style_transfer.net, examples/siamese_triplet.net and
examples/flownet_s.net / flownet_c.net, with the .net files' parameter
names."""

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


# --- examples/flownet_s.net and flownet_c.net (FlowNetPytorch's modules) ---

H, W = 64, 128          # the frames
FH, FW = H // 4, W // 4  # flow2, `flow`, `gt`
DIV_FLOW = 20.0
MAX_DISP, STRIDE = 4, 2


# --- FlowNetPytorch's building blocks (models/util.py), batchNorm=False ---

def conv(cin, cout, k=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2,
                                   bias=True),
                         nn.LeakyReLU(0.1))


def deconv(cin, cout):
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False),
                         nn.LeakyReLU(0.1))


def predict_flow(cin):
    return nn.Conv2d(cin, 2, 3, 1, 1, bias=False)


def upsampled_flow():
    return nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)


def correlate(a, b, d=MAX_DISP, s=STRIDE):
    """FlowNetC correlation (kernel 1, displacements -d..d step s, dy outer,
    dx inner), divided by the channel count, then leaky_relu(0.1)."""
    n, c, h, w = a.shape
    bp = F.pad(b, (d, d, d, d))
    out = []
    for dy in range(-d, d + 1, s):
        for dx in range(-d, d + 1, s):
            shifted = bp[:, :, d + dy:d + dy + h, d + dx:d + dx + w]
            out.append((a * shifted).sum(1) / c)
    return F.leaky_relu(torch.stack(out, 1), 0.1)


# --- FlowNetPytorch's losses (multiscaleloss.py), dense targets ---

def EPE(input_flow, target_flow, mean=True):
    epe_map = torch.norm(target_flow - input_flow, 2, 1)
    return epe_map.mean() if mean else epe_map.sum() / epe_map.size(0)


def multiscaleEPE(outputs, target, weights=(0.005, 0.01, 0.02, 0.08, 0.32)):
    loss = 0
    for output, weight in zip(outputs, weights):
        target_scaled = F.interpolate(target, output.shape[2:], mode="area")
        loss = loss + weight * EPE(output, target_scaled, mean=False)
    return loss


class FlowNetBase(nn.Module):
    """conv3_1 .. conv6_1 and the refinement, common to S and C (widths: a
    quarter of the paper's)."""

    def __init__(self, conv3_1_in):
        super().__init__()
        self.conv3_1 = conv(conv3_1_in, 64)
        self.conv4 = conv(64, 128, stride=2)
        self.conv4_1 = conv(128, 128)
        self.conv5 = conv(128, 128, stride=2)
        self.conv5_1 = conv(128, 128)
        self.conv6 = conv(128, 256, stride=2)
        self.conv6_1 = conv(256, 256)
        self.deconv5 = deconv(256, 128)
        self.deconv4 = deconv(258, 64)
        self.deconv3 = deconv(194, 32)
        self.deconv2 = deconv(98, 16)
        self.predict_flow6 = predict_flow(256)
        self.predict_flow5 = predict_flow(258)
        self.predict_flow4 = predict_flow(194)
        self.predict_flow3 = predict_flow(98)
        self.predict_flow2 = predict_flow(50)
        self.upsampled_flow6_to_5 = upsampled_flow()
        self.upsampled_flow5_to_4 = upsampled_flow()
        self.upsampled_flow4_to_3 = upsampled_flow()
        self.upsampled_flow3_to_2 = upsampled_flow()

    def refine(self, out_conv2, in_conv3_1, gt):
        out_conv3 = self.conv3_1(in_conv3_1)
        out_conv4 = self.conv4_1(self.conv4(out_conv3))
        out_conv5 = self.conv5_1(self.conv5(out_conv4))
        out_conv6 = self.conv6_1(self.conv6(out_conv5))
        # Every size halves exactly at 64x128: crop_like is the identity.
        flow6 = self.predict_flow6(out_conv6)
        concat5 = torch.cat((out_conv5, self.deconv5(out_conv6),
                             self.upsampled_flow6_to_5(flow6)), 1)
        flow5 = self.predict_flow5(concat5)
        concat4 = torch.cat((out_conv4, self.deconv4(concat5),
                             self.upsampled_flow5_to_4(flow5)), 1)
        flow4 = self.predict_flow4(concat4)
        concat3 = torch.cat((out_conv3, self.deconv3(concat4),
                             self.upsampled_flow4_to_3(flow4)), 1)
        flow3 = self.predict_flow3(concat3)
        concat2 = torch.cat((out_conv2, self.deconv2(concat3),
                             self.upsampled_flow3_to_2(flow3)), 1)
        flow2 = self.predict_flow2(concat2)
        # run_inference.py: div_flow * bilinear upsampling to the frame size.
        full = DIV_FLOW * F.interpolate(flow2, (H, W), mode="bilinear",
                                        align_corners=False)
        return {"flow": flow2, "flow3": flow3, "flow4": flow4,
                "flow5": flow5, "flow6": flow6, "flow_full": full,
                "epe": EPE(flow2, gt),
                "multiscale": multiscaleEPE(
                    (flow2, flow3, flow4, flow5, flow6), gt)}


class FlowNetS(FlowNetBase):
    def __init__(self):
        super().__init__(64)
        self.conv1 = conv(6, 16, k=7, stride=2)
        self.conv2 = conv(16, 32, k=5, stride=2)
        self.conv3 = conv(32, 64, k=5, stride=2)

    def forward(self, img1, img2, gt):
        out_conv2 = self.conv2(self.conv1(torch.cat((img1, img2), 1)))
        return self.refine(out_conv2, self.conv3(out_conv2), gt)


class FlowNetC(FlowNetBase):
    def __init__(self):
        super().__init__(8 + ((2 * MAX_DISP) // STRIDE + 1) ** 2)  # 8 + 25
        self.conv1 = conv(3, 16, k=7, stride=2)
        self.conv2 = conv(16, 32, k=5, stride=2)
        self.conv3 = conv(32, 64, k=5, stride=2)
        self.conv_redir = conv(64, 8, k=1)
        self.zero_corr = False  # for the check that the correlation matters

    def forward(self, img1, img2, gt):
        out_conv2a = self.conv2(self.conv1(img1))
        out_conv3a = self.conv3(out_conv2a)
        out_conv3b = self.conv3(self.conv2(self.conv1(img2)))
        corr = correlate(out_conv3a, out_conv3b)
        if self.zero_corr:
            corr = torch.zeros_like(corr)
        in_conv3_1 = torch.cat((self.conv_redir(out_conv3a), corr), 1)
        return self.refine(out_conv2a, in_conv3_1, gt)


def init_weights(model):
    """FlowNetPytorch's initialisation (kaiming_normal_(w, 0.1)), with
    biases U(-0.1, 0.1) instead of 0 so that they are checked."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, 0.1)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1)
    return model.eval()
