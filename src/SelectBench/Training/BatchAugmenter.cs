using SelectBench.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>
/// Training augmentation as batched tensor operations on N x C x H x W float batches in [0, 1] (before
/// normalisation, so zero padding means black pixels, as in torchvision). All randomness comes from the
/// given generator, so the recipe seed fixes every crop, flip and mix.
/// </summary>
public static class BatchAugmenter
{
    /// <summary>
    /// Random crop of the zero-padded image, one offset per sample (torchvision RandomCrop(size,
    /// padding=p)). Batched: pad once, then gather rows and columns with per-sample index grids.
    /// </summary>
    public static Tensor RandomCrop(Tensor images, int padding, Generator generator)
    {
        if (padding <= 0) return images.alias();
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var padded = nn.functional.pad(images, [padding, padding, padding, padding]);
        var offsets = randint(0, 2 * padding + 1, [n, 2], dtype: ScalarType.Int64, generator: generator).to(images.device);
        var rows = Scalars.Add(offsets[.., 0].unsqueeze(1), Scalars.Arange(h, device: images.device));  // n x h
        var cols = Scalars.Add(offsets[.., 1].unsqueeze(1), Scalars.Arange(w, device: images.device));  // n x w
        var wp = padded.shape[3];
        var byRows = padded.gather(2, rows.view(n, 1, h, 1).expand(n, c, h, wp));
        var cropped = byRows.gather(3, cols.view(n, 1, 1, w).expand(n, c, h, w));
        return cropped.MoveToOuterDisposeScope();
    }

    /// <summary>Left-right flip of each image with probability 1/2.</summary>
    public static Tensor HorizontalFlip(Tensor images, Generator generator)
    {
        using var scope = NewDisposeScope();
        var flip = rand([images.shape[0]], generator: generator).lt(Scalars.Half).to(images.device).view(-1, 1, 1, 1);
        return where(flip, images.flip(3), images).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Random-resized-crop (Szegedy et al. 2015; torchvision RandomResizedCrop with scale (minScale, 1) and
    /// ratio (3/4, 4/3)) back to the same H x W, batched with one affine grid per sample and bilinear
    /// grid_sample. Where torchvision retries up to 10 times for a crop that fits, this clamps the crop's
    /// sides to the image, which keeps the batch in one pass (crops can be slightly smaller than drawn).
    /// </summary>
    public static Tensor RandomResizedCrop(Tensor images, double minScale, Generator generator)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        var u = rand([n, 4], dtype: ScalarType.Float64, generator: generator);
        var area = Scalars.AddConstantInPlace(Scalars.Mul(u[.., 0], 1 - minScale), minScale);
        var logRatio = Scalars.MulInPlace(SymmetricUnit(u[.., 1]), Math.Log(4.0 / 3.0));
        var ratio = logRatio.exp();
        var cropW = Scalars.Clamp(area.mul(ratio).sqrt(), max: 1.0);  // fraction of the image width
        var cropH = Scalars.Clamp(area.div(ratio).sqrt(), max: 1.0);
        // affine_grid works in [-1, 1] coordinates: a crop of width fraction f spans f of that range, and its
        // centre may move by at most 1 - f either way so it stays inside the image.
        var cx = SymmetricUnit(u[.., 2]).mul_(Scalars.SubtractFrom(1, cropW));
        var cy = SymmetricUnit(u[.., 3]).mul_(Scalars.SubtractFrom(1, cropH));
        var zeros = zeros_like(cropW);
        var theta = stack([stack([cropW, zeros, cx], 1), stack([zeros, cropH, cy], 1)], 1)
            .to(images.dtype).to(images.device);
        var grid = nn.functional.affine_grid(theta, [n, images.shape[1], images.shape[2], images.shape[3]], align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mixup (Zhang et al. 2018) or cutmix (Yun et al. 2019) with timm's batch-mode semantics
    /// (timm/data/mixup.py, Mixup with mode="batch", prob 1, switch_prob 0.5, correct_lam True): one
    /// lambda ~ Beta(alpha, alpha) per batch; each image is mixed with the image at the mirrored position
    /// (batch.flip(0)); cutmix pastes one box of area ratio 1 - lambda with a uniform centre, clipped to
    /// the image, and recomputes lambda from the clipped area; the targets are the smoothed one-hot labels
    /// mixed the same way. Returns the mixed images and soft targets (N x classes).
    /// </summary>
    public static (Tensor Images, Tensor Targets) MixupCutmix(Tensor images, Tensor labels, int classes,
        double mixupAlpha, double cutmixAlpha, double labelSmoothing, Generator generator)
    {
        using var scope = NewDisposeScope();
        bool useCutmix;
        if (mixupAlpha > 0 && cutmixAlpha > 0) useCutmix = rand([1], dtype: ScalarType.Float64, generator: generator).item<double>() < 0.5;
        else useCutmix = cutmixAlpha > 0;
        double alpha = useCutmix ? cutmixAlpha : mixupAlpha;
        double lambda = SampleBeta(alpha, generator);
        var mixed = images;
        if (useCutmix)
        {
            long h = images.shape[2], w = images.shape[3];
            double cutRatio = Math.Sqrt(1 - lambda);
            long cutH = (long)(h * cutRatio), cutW = (long)(w * cutRatio);
            var centre = rand([2], dtype: ScalarType.Float64, generator: generator);
            long cy = Math.Min(h - 1, (long)(centre[0].item<double>() * h));
            long cx = Math.Min(w - 1, (long)(centre[1].item<double>() * w));
            long y0 = Math.Clamp(cy - cutH / 2, 0, h), y1 = Math.Clamp(cy + cutH / 2, 0, h);
            long x0 = Math.Clamp(cx - cutW / 2, 0, w), x1 = Math.Clamp(cx + cutW / 2, 0, w);
            mixed = images.clone();
            var box = (TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(y0, y1), TensorIndex.Slice(x0, x1));
            mixed[box.Item1, box.Item2, box.Item3, box.Item4] = images.flip(0)[box.Item1, box.Item2, box.Item3, box.Item4];
            lambda = 1 - (double)((y1 - y0) * (x1 - x0)) / (h * w);
        }
        else
        {
            mixed = Scalars.AddInPlace(Scalars.Mul(images, lambda), Scalars.Mul(images.flip(0), 1 - lambda));
        }
        var targets = SmoothedOneHot(labels, classes, labelSmoothing);
        var mixedTargets = Scalars.AddInPlace(Scalars.Mul(targets, lambda), Scalars.Mul(targets.flip(0), 1 - lambda));
        return (mixed.MoveToOuterDisposeScope(), mixedTargets.MoveToOuterDisposeScope());
    }

    /// <summary>One-hot targets with label smoothing eps: off = eps / K, on = 1 - eps + eps / K (timm's mixup_target).</summary>
    public static Tensor SmoothedOneHot(Tensor labels, int classes, double smoothing)
    {
        using var scope = NewDisposeScope();
        double off = smoothing / classes, on = 1 - smoothing + off;
        var oneHot = nn.functional.one_hot(labels, classes).to(ScalarType.Float32);
        return Scalars.AddConstantInPlace(Scalars.MulInPlace(oneHot, on - off), off).MoveToOuterDisposeScope();
    }

    /// <summary>2u - 1: uniform draws in [0, 1) mapped to [-1, 1).</summary>
    private static Tensor SymmetricUnit(Tensor u) => Scalars.AddConstantInPlace(Scalars.Mul(u, 2), -1);

    /// <summary>Beta(alpha, alpha) from the generator: the first component of a Dirichlet(alpha, alpha) draw.</summary>
    public static double SampleBeta(double alpha, Generator generator)
    {
        using var concentration = tensor(new[] { alpha, alpha }, dtype: ScalarType.Float64);
        using var draw = _sample_dirichlet(concentration, generator);
        return draw[0].item<double>();
    }
}
