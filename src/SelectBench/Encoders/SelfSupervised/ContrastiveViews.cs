using TorchSharp;
using SelectBench.Common;
using SelectBench.Engine;
using static TorchSharp.torch;

namespace SelectBench.Encoders.SelfSupervised;

/// <summary>
/// SimCLR's stochastic augmentation (Chen et al. 2020, section 3 and appendix A), adapted to small grey
/// images and done on whole batches: random resized crop (area share in [MinCropArea, 1], aspect ratio in
/// [1/MaxAspectRatio, MaxAspectRatio], SimCLR's 3/4..4/3 by default) and horizontal flip as one affine resampling, then brightness and contrast jitter, then
/// Gaussian pixel noise. Colour jitter's hue/saturation and the blur are left out: the images are grey and tiny.
/// </summary>
public sealed record ContrastiveAugmentation(
    double MinCropArea = 0.35, double MaxAspectRatio = 4.0 / 3, double Brightness = 0.4, double Contrast = 0.4, double NoiseStd = 0.03, bool Flip = true)
{
    public void Validate(string where)
    {
        if (!(MinCropArea > 0 && MinCropArea <= 1))
            throw new SelectBenchException($"{where}.min_crop_area: {MinCropArea} is not allowed; give a fraction in (0, 1].");
        if (!(MaxAspectRatio >= 1 && double.IsFinite(MaxAspectRatio)))
            throw new SelectBenchException($"{where}.max_aspect_ratio: {MaxAspectRatio} is not allowed; give a finite ratio >= 1.");
        SettingRules.InRange(where, "brightness", Brightness, 0, 1);
        SettingRules.InRange(where, "contrast", Contrast, 0, 1);
        SettingRules.NonNegative(where, "noise_std", NoiseStd);
    }
}

internal static class ContrastiveViews
{
    /// <summary>One augmented view of x (B x C x H x W, values in [0, 1]); all randomness from <paramref name="gen"/>.</summary>
    public static Tensor Augment(Tensor x, ContrastiveAugmentation a, Generator gen)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        var area = Scalars.Affine(rand([b], generator: gen), 1 - a.MinCropArea, a.MinCropArea);
        var logRatio = Scalars.MulInPlace(SymmetricUnit(rand([b], generator: gen)), Math.Log(a.MaxAspectRatio));
        var ratio = logRatio.exp();
        // Crop size as a share of the side; the sampling grid spans [-1, 1], so a share s maps to scale s.
        var sx = Scalars.Clamp(area.mul(ratio).sqrt(), max: 1);
        var sy = Scalars.Clamp(area.div(ratio).sqrt(), max: 1);
        var tx = SymmetricUnit(rand([b], generator: gen)).mul_(Scalars.SubtractFrom(1, sx));
        var ty = SymmetricUnit(rand([b], generator: gen)).mul_(Scalars.SubtractFrom(1, sy));
        var flip = a.Flip ? Scalars.Affine(Scalars.LessThan(rand([b], generator: gen), 0.5).to_type(ScalarType.Float32), -2, 1) : ones([b]);
        var zero = zeros([b]);
        var theta = stack([stack([sx.mul(flip), zero, tx], 1), stack([zero, sy, ty], 1)], 1); // B x 2 x 3
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        var y = nn.functional.grid_sample(x, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Border, align_corners: false);

        var brightness = Scalars.AddConstantInPlace(Scalars.MulInPlace(SymmetricUnit(rand([b, 1, 1, 1], generator: gen)), a.Brightness), 1);
        y = y.mul(brightness);
        var contrast = Scalars.AddConstantInPlace(Scalars.MulInPlace(SymmetricUnit(rand([b, 1, 1, 1], generator: gen)), a.Contrast), 1);
        var mean = y.mean([1, 2, 3], keepdim: true);
        y = Scalars.AddInPlace(y.sub(mean).mul_(contrast), mean);
        if (a.NoiseStd > 0) y = Scalars.Add(y, Scalars.MulInPlace(randn(y.shape, generator: gen), a.NoiseStd));
        return Scalars.Clamp(y, 0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>2u - 1: uniform draws in [0, 1) mapped to [-1, 1) (in place).</summary>
    private static Tensor SymmetricUnit(Tensor u) => Scalars.AddConstantInPlace(Scalars.MulInPlace(u, 2), -1);

    /// <summary>
    /// NT-Xent (normalised temperature-scaled cross entropy, Chen et al. 2020 eq. 1): for 2B projections where
    /// rows i and i + B are the two views of one image, each row's positive is its partner and the other
    /// 2B - 2 rows are negatives; the loss is the mean cross entropy of cosine similarities / temperature.
    /// </summary>
    public static Tensor NtXent(Tensor z1, Tensor z2, double temperature)
    {
        using var scope = NewDisposeScope();
        long b = z1.shape[0];
        var z = nn.functional.normalize(cat([z1, z2], 0), p: 2, dim: 1);
        var logits = Scalars.Div(z.matmul(z.t()), temperature);
        var self = eye(2 * b, dtype: ScalarType.Bool);
        using var minusInfinity = double.NegativeInfinity.ToScalar();
        logits = logits.masked_fill(self, minusInfinity);
        var idx = Scalars.Arange(b);
        var targets = cat([Scalars.AddInteger(idx, b), idx], 0);
        return nn.functional.cross_entropy(logits, targets).MoveToOuterDisposeScope();
    }
}
