namespace SelectBench.Evaluation.Corruptions;

// The three noise corruptions draw independently per pixel and per channel, as numpy does over the whole
// H x W x C array. A grey image gets one draw per pixel (the references' 2-D branch), not three draws
// averaged back, which would shrink the noise by sqrt(3).

/// <summary>
/// x + N(0, c²) on [0, 1]. c per severity from bethgelab/imagecorruptions corruptions.py gaussian_noise
/// (identical in hendrycks/robustness make_imagenet_c.py gaussian_noise).
/// </summary>
public sealed class GaussianNoise : Corruption
{
    public static readonly double[] Scale = [0.08, 0.12, 0.18, 0.26, 0.38];

    public override string Name => "gaussian_noise";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = Scale[severity - 1];
        const double inv = 1.0 / 255.0;
        for (int i = 0; i < image.Length; i++)
        {
            double v = image[i] * inv + c * rng.NextNormal();
            output[i] = v <= 0 ? (byte)0 : v >= 1 ? (byte)255 : (byte)(v * 255);
        }
    }
}

/// <summary>
/// Poisson(x * c) / c on [0, 1]. c per severity from bethgelab/imagecorruptions corruptions.py shot_noise
/// (identical in hendrycks/robustness make_imagenet_c.py shot_noise).
/// </summary>
public sealed class ShotNoise : Corruption
{
    public static readonly double[] PhotonsPerUnit = [60, 25, 12, 5, 3];

    public override string Name => "shot_noise";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = PhotonsPerUnit[severity - 1];
        // Only 256 input levels: precompute exp(-lambda) per level instead of per pixel.
        Span<double> expNegLambda = stackalloc double[256];
        for (int level = 0; level < 256; level++) expNegLambda[level] = Math.Exp(-level / 255.0 * c);
        for (int i = 0; i < image.Length; i++)
        {
            double lambda = image[i] / 255.0 * c;
            int k = SamplePoisson(lambda, expNegLambda[image[i]], rng);
            double v = k / c;
            output[i] = v >= 1 ? (byte)255 : (byte)(v * 255);
        }
    }

    // Inversion by sequential search, as CorruptionRandom.NextPoisson, with exp(-lambda) precomputed.
    private static int SamplePoisson(double lambda, double p0, CorruptionRandom rng)
    {
        if (lambda <= 0) return 0;
        double u = rng.NextDouble();
        double p = p0, cdf = p0;
        int k = 0;
        while (u > cdf)
        {
            k++;
            p *= lambda / k;
            cdf += p;
            if (p < 1e-300 && k > lambda) break;
        }
        return k;
    }
}

/// <summary>
/// Salt-and-pepper noise: each value is replaced with probability c, by 1 or 0 with equal odds, as
/// skimage.util.random_noise(mode='s&amp;p', amount=c) (salt_vs_pepper 0.5; current skimage draws a
/// Bernoulli per array element). c per severity from bethgelab/imagecorruptions corruptions.py
/// impulse_noise (identical in hendrycks/robustness make_imagenet_c.py).
/// </summary>
public sealed class ImpulseNoise : Corruption
{
    public static readonly double[] Amount = [0.03, 0.06, 0.09, 0.17, 0.27];

    public override string Name => "impulse_noise";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = Amount[severity - 1];
        for (int i = 0; i < image.Length; i++)
        {
            if (rng.NextDouble() < c)
                output[i] = rng.NextDouble() < 0.5 ? (byte)255 : (byte)0;
            else
                output[i] = image[i];
        }
    }
}
