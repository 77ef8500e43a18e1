using SelectBench.Common;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>Channels x height x width of one uint8 image stored as planes (NCHW without the N).</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int PlaneSize => Height * Width;
    public int Size => Channels * Height * Width;
}

/// <summary>
/// One ImageNet-C corruption (Hendrycks and Dietterich 2019) at severities 1-5, on uint8 planar images
/// with 1 or 3 channels of any size. Subclasses follow the generalised reference, bethgelab/imagecorruptions
/// imagecorruptions/corruptions.py (commit 952dc3e), and cite hendrycks/robustness
/// ImageNet-C/create_c/make_imagenet_c.py where it differs. The list of corruptions lives in
/// <see cref="Corruptions.All"/>.
/// </summary>
public abstract class Corruption
{
    public const int MinSeverity = 1;
    public const int MaxSeverity = 5;

    /// <summary>The reference's snake_case name, e.g. "gaussian_noise".</summary>
    public abstract string Name { get; }

    /// <summary>Corrupts <paramref name="image"/> (C x H x W planes, C = 1 or 3) into a new array of the same length.</summary>
    public byte[] Apply(ReadOnlySpan<byte> image, int channels, int height, int width, int severity, CorruptionRandom rng)
    {
        var output = new byte[image.Length];
        Apply(image, output, channels, height, width, severity, rng);
        return output;
    }

    /// <summary>Corrupts <paramref name="image"/> into <paramref name="output"/> (same length, must not overlap).</summary>
    public void Apply(ReadOnlySpan<byte> image, Span<byte> output, int channels, int height, int width, int severity, CorruptionRandom rng)
    {
        if (channels != 1 && channels != 3)
            throw new SelectBenchException($"corruption {Name}: images must have 1 or 3 channels, got {channels}; convert the set to grey or RGB first.");
        if (height <= 0 || width <= 0)
            throw new SelectBenchException($"corruption {Name}: image size {height}x{width} must be positive.");
        if (severity < MinSeverity || severity > MaxSeverity)
            throw new SelectBenchException($"corruption {Name}: severity {severity} is outside {MinSeverity}..{MaxSeverity}.");
        var shape = new ImageShape(channels, height, width);
        if (image.Length != shape.Size || output.Length != shape.Size)
            throw new ArgumentException($"corruption {Name}: a {channels}x{height}x{width} image needs {shape.Size} bytes in and out, got {image.Length} and {output.Length}");
        Corrupt(image, output, shape, severity, rng);
    }

    /// <summary>The corruption itself; arguments are validated.</summary>
    protected abstract void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng);

    public override string ToString() => Name;
}
