"""`nn-shapes`: output sizes and parameter counts of convolutional and dense layers.

Four questions, all exact integers: the spatial output size of a Conv2d / MaxPool2d (kernel, stride,
padding, dilation), the learnable parameters of a conv block (with or without bias, depthwise, with
BatchNorm), the parameters of a small MLP, and the ``in_features`` of the Linear layer after a
conv → pool stack. Conventions are PyTorch's: floor division in the size formula, and "parameters" are
what ``sum(p.numel() for p in model.parameters())`` counts; BatchNorm's running mean / variance are
buffers, not parameters. PyTorch is not a dependency: the formulas are implemented here and the tests
check them against an independent numpy sliding-window count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from generators.base import Generator, NumberAnswer, Params, Part, Problem

Ask = Literal["conv_output", "conv_params", "dense_params", "flatten"]
ASKS: tuple[str, ...] = Ask.__args__  # type: ignore[attr-defined]


class NNShapesParams(Params):
    ask: Ask | None = None


@dataclass(frozen=True, slots=True)
class Conv:
    """A Conv2d (or, with ``pool``, a MaxPool2d) with a square kernel."""

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    pool: bool = False

    def out(self, size: int) -> int:
        return conv_output_size(size, self.kernel, self.stride, self.padding, self.dilation)

    def code(self, c_in: int = 0, c_out: int = 0) -> str:
        if self.pool:
            args = [f"kernel_size={self.kernel}"]
            if self.stride != self.kernel:  # MaxPool2d's stride defaults to the kernel size
                args.append(f"stride={self.stride}")
        else:
            args = [str(c_in), str(c_out), f"kernel_size={self.kernel}"]
            if self.stride != 1:
                args.append(f"stride={self.stride}")
        if self.padding:
            args.append(f"padding={self.padding}")
        if self.dilation != 1:
            args.append(f"dilation={self.dilation}")
        return f"nn.{'MaxPool2d' if self.pool else 'Conv2d'}({', '.join(args)})"


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """PyTorch's Conv2d / MaxPool2d: ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_params(c_in: int, c_out: int, kernel: int, bias: bool, groups: int = 1, batchnorm: bool = False) -> int:
    """Weights c_out × (c_in / groups) × k × k, plus c_out biases, plus BatchNorm's γ and β per channel."""
    return c_out * (c_in // groups) * kernel * kernel + (c_out if bias else 0) + (2 * c_out if batchnorm else 0)


def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


# ---------------------------------------------------------------------------------------------- conv output

@dataclass(frozen=True, slots=True)
class Preset:
    description: str
    layer: Conv


PRESETS = (
    Preset("the stem convolution of a ResNet", Conv(7, 2, 3)),
    Preset("the max-pool after a ResNet stem", Conv(3, 2, 1, pool=True)),
    Preset("the first convolution of AlexNet", Conv(11, 4, 2)),
    Preset("a VGG-style 3×3 convolution", Conv(3, 1, 1)),
    Preset("a strided 3×3 downsampling convolution", Conv(3, 2, 1)),
    Preset("a dilated 3×3 convolution from a DeepLab-style segmentation head", Conv(3, 1, 2, 2)),
    Preset("LeNet's first convolution", Conv(5, 1, 0)),
    Preset("a 2×2 max-pool", Conv(2, 2, 0, pool=True)),
)

INPUTS = (
    ("an ImageNet-sized image", 224, 224),
    ("a CIFAR-10 image", 32, 32),
    ("an MNIST digit", 28, 28),
    ("a satellite tile for segmentation", 512, 512),
    ("an STL-10 image", 96, 96),
    ("a feature map inside the network", 56, 56),
    ("a video frame", 360, 640),
    ("a dash-cam frame", 375, 1242),
)


def _random_layer(rng: np.random.Generator) -> Conv:
    kernel = int(rng.choice([1, 3, 3, 5, 7]))
    dilation = int(rng.choice([1, 1, 1, 2, 3])) if kernel > 1 else 1
    stride = int(rng.choice([1, 2, 2, 3]))
    padding = int(rng.integers(0, dilation * (kernel // 2) + 2)) if kernel > 1 else 0
    return Conv(kernel, stride, padding, dilation)


# ------------------------------------------------------------------------------------------ the generator

class NNShapes(Generator):
    name = "nn-shapes"
    title = "Layer shapes and parameter counts"
    description = (
        "Conv2d / MaxPool2d output sizes (kernel, stride, padding, dilation), parameter counts of conv blocks "
        "(bias, depthwise, BatchNorm) and MLPs, and the flattened size feeding the first Linear layer."
    )
    Params = NNShapesParams
    topics = ("deep-learning", "cnn")

    def make(self, rng: np.random.Generator, seed: int, params: NNShapesParams) -> Problem:
        ask = params.ask or str(rng.choice(ASKS))
        return {
            "conv_output": self._conv_output,
            "conv_params": self._conv_params,
            "dense_params": self._dense_params,
            "flatten": self._flatten,
        }[ask](rng, seed, params)

    def _conv_output(self, rng: np.random.Generator, seed: int, params: NNShapesParams) -> Problem:
        source, height, width = INPUTS[int(rng.integers(len(INPUTS)))]
        if rng.random() < 0.4:
            preset = PRESETS[int(rng.integers(len(PRESETS)))]
            description, layer = preset.description, preset.layer
        else:
            description, layer = "a convolution", _random_layer(rng)
        # A layer whose receptive field does not fit the padded input would have no output: redraw.
        while layer.out(min(height, width)) < 1:
            layer = _random_layer(rng)
        square = height == width
        axis = "height" if rng.random() < 0.5 else "width"
        size = height if axis == "height" else width
        value = layer.out(size)
        c_in = 1 if "MNIST" in source else 64 if "feature map" in source else 3
        code = layer.code(c_in, 64) if not layer.pool else layer.code()
        shape = f"{height}×{width}"
        prompt = (
            f"{_capital(description)} is applied to {source} ({c_in} × {shape}, channels × height × width):\n\n"
            f"```python\n{code}\n```\n\n"
            f"What is the output **{'spatial size (height = width)' if square else axis}**? Answer with an integer."
        )
        effective = layer.dilation * (layer.kernel - 1) + 1
        numerator = size + 2 * layer.padding - layer.dilation * (layer.kernel - 1) - 1
        lines = [
            "PyTorch: out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.",
            f"in = {size}, kernel = {layer.kernel}, stride = {layer.stride}, padding = {layer.padding}, "
            f"dilation = {layer.dilation}" + (f" (effective kernel {effective})" if layer.dilation > 1 else "") + ".",
            f"out = ⌊({size} + {2 * layer.padding} − {layer.dilation * (layer.kernel - 1)} − 1) / {layer.stride}⌋ + 1 "
            f"= ⌊{numerator} / {layer.stride}⌋ + 1 = {numerator // layer.stride} + 1 = **{value}**",
        ]
        if numerator % layer.stride:
            lines.append(f"{numerator} / {layer.stride} is not whole: PyTorch floors, so the last "
                         f"{numerator % layer.stride} row(s) of the padded input are never covered by a window.")
        else:
            lines.append("With stride 1, padding = dilation·(kernel − 1)/2 keeps the size ('same'); each stride "
                         "of 2 halves it.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt=f"output {axis if not square else 'size'}?", answer=NumberAnswer(value, tolerance=0)),),
            solution="\n\n".join(lines),
            data={"ask": "conv_output", "layer": "MaxPool2d" if layer.pool else "Conv2d", "input": [height, width],
                  "axis": axis, "kernel": layer.kernel, "stride": layer.stride, "padding": layer.padding,
                  "dilation": layer.dilation, "output": value},
        )

    def _conv_params(self, rng: np.random.Generator, seed: int, params: NNShapesParams) -> Problem:
        widths = [3, 16, 32, 64, 128, 256, 512]
        style = str(rng.choice(["plain", "bn", "depthwise", "pointwise"]))
        c_in = int(rng.choice(widths[1:] if style == "depthwise" else widths))
        if style == "depthwise":
            c_out, kernel, groups = c_in, 3, c_in
        else:
            c_out = int(rng.choice([w for w in widths if w >= max(c_in, 16)]))
            kernel, groups = (1, 1) if style == "pointwise" else (int(rng.choice([3, 3, 3, 5, 7] if style == "plain" else [3])), 1)
        batchnorm = style in ("bn", "depthwise") or (style == "pointwise" and rng.random() < 0.5)
        # Convs followed by BatchNorm usually drop the (redundant) bias, but not always.
        bias = not batchnorm or rng.random() < 0.3
        value = conv_params(c_in, c_out, kernel, bias, groups, batchnorm)
        lines_code = [f"nn.Conv2d({c_in}, {c_out}, kernel_size={kernel}"
                      + (", padding=1" if kernel == 3 else "")
                      + (f", groups={groups}" if groups > 1 else "") + ("" if bias else ", bias=False") + "),"]
        if batchnorm:
            lines_code.append(f"nn.BatchNorm2d({c_out}),")
        lines_code.append("nn.ReLU(),")
        context = {
            "plain": "A convolution block in a small CNN",
            "bn": "A Conv-BN-ReLU block of a ResNet-style network",
            "depthwise": "The depthwise half of a MobileNet separable convolution",
            "pointwise": "A 1×1 (pointwise) convolution that changes the channel count",
        }[style]
        prompt = (
            f"{context}:\n\n```python\nnn.Sequential(\n"
            + "".join(f"    {line}\n" for line in lines_code)
            + ")\n```\n\nHow many **learnable parameters** does the block have (what "
            "`sum(p.numel() for p in block.parameters())` returns; running statistics are buffers, not "
            "parameters)? Answer with an integer."
        )
        weights = c_out * (c_in // groups) * kernel * kernel
        lines = [
            f"Conv weights: out × (in / groups) × k × k = {c_out} × {c_in // groups} × {kernel} × {kernel} = {weights:,}"
            + (f" (groups = {groups}: each filter sees only its own channel)" if groups > 1 else "") + ".",
            f"Conv bias: {c_out:,}." if bias else "Conv bias: none (bias=False).",
        ]
        if batchnorm:
            lines.append(f"BatchNorm2d({c_out}): γ and β per channel = 2 × {c_out} = {2 * c_out:,} learnable; "
                         f"running_mean and running_var ({2 * c_out:,} numbers) are buffers, not parameters.")
        lines.append("ReLU: no parameters.")
        lines.append(f"Total = **{value:,}**")
        if batchnorm and bias:
            lines.append("A bias right before BatchNorm is wasted: BN subtracts the mean and adds its own β, "
                         "which is why ResNets use bias=False there.")
        elif groups > 1:
            full = conv_params(c_in, c_out, kernel, bias, 1, batchnorm)
            lines.append(f"A full 3×3 conv here would have {full:,} parameters: depthwise convs cost ~1/{c_in} as "
                         "much, which is MobileNet's trick.")
        else:
            lines.append("Parameter count doesn't depend on the image size: convs share weights across positions.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="learnable parameters?", answer=NumberAnswer(value, tolerance=0)),),
            solution="\n\n".join(lines),
            data={"ask": "conv_params", "in_channels": c_in, "out_channels": c_out, "kernel": kernel,
                  "groups": groups, "bias": bias, "batchnorm": batchnorm, "parameters": value},
        )

    def _dense_params(self, rng: np.random.Generator, seed: int, params: NNShapesParams) -> Problem:
        inputs = (("flattened MNIST digits", 784, (10,)), ("BERT-base [CLS] embeddings", 768, (2, 3, 5)),
                  ("ResNet-50 pooled features", 2048, (10, 37, 100)), ("CLIP image embeddings", 512, (10, 20)),
                  ("300-d word2vec sentence averages", 300, (2, 4)), ("flattened CIFAR-10 images", 3072, (10,)),
                  ("tabular data with {n} features", 0, (1, 2, 3)))
        source, n_in, outs = inputs[int(rng.integers(len(inputs)))]
        if n_in == 0:
            n_in = int(rng.integers(8, 60))
            source = source.format(n=n_in)
        n_out = int(rng.choice(outs))
        hidden = [int(h) for h in rng.choice([32, 64, 128, 256, 512, 1024], size=int(rng.integers(1, 4)))]
        hidden.sort(reverse=True)
        batchnorm = bool(rng.random() < 0.35)
        sizes = [n_in, *hidden, n_out]
        code, lines, total = [], [], 0
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            last = i == len(sizes) - 2
            bias = last or not batchnorm
            count = linear_params(a, b, bias)
            total += count
            code.append(f"nn.Linear({a}, {b}{'' if bias else ', bias=False'}),")
            lines.append(f"Linear({a}, {b}): {a} × {b}" + (f" + {b}" if bias else " (no bias)") + f" = {count:,}")
            if not last:
                if batchnorm:
                    code.append(f"nn.BatchNorm1d({b}),")
                    total += 2 * b
                    lines.append(f"BatchNorm1d({b}): γ, β = 2 × {b} = {2 * b:,}")
                code.append("nn.ReLU(),")
        prompt = (
            f"An MLP on {source}:\n\n```python\nnn.Sequential(\n" + "".join(f"    {c}\n" for c in code)
            + ")\n```\n\nHow many **learnable parameters** does it have (BatchNorm running statistics are buffers, "
            "not parameters)? Answer with an integer."
        )
        lines.append(f"Total = **{total:,}**")
        lines.append("Dense layers dominate parameter counts: the first layer alone has "
                     f"{linear_params(sizes[0], sizes[1], not batchnorm):,} here. That is why CNNs pool before the head.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="learnable parameters?", answer=NumberAnswer(total, tolerance=0)),),
            solution="\n\n".join(lines),
            data={"ask": "dense_params", "sizes": sizes, "batchnorm": batchnorm, "parameters": total},
        )

    def _flatten(self, rng: np.random.Generator, seed: int, params: NNShapesParams) -> Problem:
        sources = (("MNIST digits", 1, 28), ("CIFAR-10 images", 3, 32), ("64×64 thumbnails", 3, 64),
                   ("STL-10 images", 3, 96))
        source, channels, size = sources[int(rng.integers(len(sources)))]
        n_blocks = int(rng.integers(2, 4))
        widths = [16, 32, 64, 128]
        start = int(rng.integers(0, 2))
        code, lines = [], [f"Input: {channels} × {size} × {size}."]
        c, s = channels, size
        for block in range(n_blocks):
            kernel = int(rng.choice([3, 5]))
            padding = int(rng.choice([0, kernel // 2]))
            conv = Conv(kernel, 1, padding)
            pool = Conv(2, 2, pool=True)
            c_out = widths[min(start + block, len(widths) - 1)]
            after_conv = conv.out(s)
            after_pool = pool.out(after_conv)
            if after_pool < 1:
                break
            code += [conv.code(c, c_out) + ",", "nn.ReLU(),", pool.code() + ","]
            lines.append(f"{conv.code(c, c_out)}: {s} → ({s} + {2 * padding} − {kernel}) / 1 + 1 = {after_conv}; "
                         f"MaxPool2d(2): ⌊{after_conv} / 2⌋ = {after_pool} → {c_out} × {after_pool} × {after_pool}")
            c, s = c_out, after_pool
        value = c * s * s
        code += ["nn.Flatten(),", "nn.Linear(???, 10),"]
        prompt = (
            f"A small CNN for {source} ({channels} × {size} × {size} inputs):\n\n```python\nnn.Sequential(\n"
            + "".join(f"    {line}\n" for line in code)
            + ")\n```\n\nWhat must `in_features` (the **???**) of the Linear layer be? Answer with an integer."
        )
        lines.append(f"Flatten: {c} × {s} × {s} = **{value:,}**")
        lines.append("Pooling an odd size floors (e.g. 7 → 3), a classic source of shape-mismatch errors; "
                     "`nn.LazyLinear` or `nn.AdaptiveAvgPool2d` before the head avoid hard-coding it.")
        return self.problem(
            seed, params,
            prompt=prompt,
            parts=(Part(prompt="in_features?", answer=NumberAnswer(value, tolerance=0)),),
            solution="\n\n".join(lines),
            data={"ask": "flatten", "input": [channels, size, size], "layers": [line.rstrip(",") for line in code],
                  "in_features": value},
        )


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]

