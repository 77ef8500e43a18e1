using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// The line kernel of bethgelab/imagecorruptions corruptions.py _motion_blur, the numpy replacement for
/// ImageMagick's MagickMotionBlurImage that hendrycks/robustness make_imagenet_c.py calls through Wand.
/// Tap i (0 &lt;= i &lt; 2 * radius + 1) weighs exp(-i²/2σ²) (normalised over all taps) and shifts the image by
/// (dy, dx) = (-ceil(i sin θ - 0.5), -ceil(i cos θ - 0.5)) with edge replication (the reference's shift()).
/// The reference stops at the first tap whose shift reaches the image size and does not renormalise, so
/// the remaining weight is lost (the image darkens); we keep that.
/// </summary>
internal static class MotionBlurKernel
{
    public static void Apply(ReadOnlySpan<float> source, Span<float> blurred, int height, int width, int radius,
                             double sigma, double angleDegrees)
    {
        int taps = 2 * radius + 1; // getOptimalKernelWidth1D
        Span<double> kernel = stackalloc double[taps];
        double sum = 0;
        for (int i = 0; i < taps; i++)
        {
            kernel[i] = Math.Exp(-(double)i * i / (2 * sigma * sigma)) / (Math.Sqrt(2 * Math.PI) * sigma);
            sum += kernel[i];
        }
        double rad = angleDegrees * Math.PI / 180.0;
        double pointY = taps * Math.Sin(rad), pointX = taps * Math.Cos(rad);
        double hypot = Math.Sqrt(pointY * pointY + pointX * pointX);

        blurred.Clear();
        for (int i = 0; i < taps; i++)
        {
            int dy = -(int)Math.Ceiling(i * pointY / hypot - 0.5);
            int dx = -(int)Math.Ceiling(i * pointX / hypot - 0.5);
            if (Math.Abs(dy) >= height || Math.Abs(dx) >= width) break; // motion exceeded the image borders
            float weight = (float)(kernel[i] / sum);
            AddShifted(source, blurred, height, width, dy, dx, weight);
        }
    }

    // blurred[y, x] += weight * source[clamp(y - dy), clamp(x - dx)].
    private static void AddShifted(ReadOnlySpan<float> source, Span<float> blurred, int height, int width, int dy, int dx, float weight)
    {
        int lo = Math.Max(dx, 0), hi = Math.Min(width, width + dx); // columns whose source lies inside
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Clamp(y - dy, 0, height - 1);
            ReadOnlySpan<float> src = source.Slice(sy * width, width);
            Span<float> dst = blurred.Slice(y * width, width);
            float left = weight * src[0], right = weight * src[width - 1];
            for (int x = 0; x < lo; x++) dst[x] += left;
            ReadOnlySpan<float> mid = src.Slice(lo - dx, hi - lo);
            Span<float> dmid = dst.Slice(lo, hi - lo);
            for (int x = 0; x < dmid.Length; x++) dmid[x] += weight * mid[x];
            for (int x = hi; x < width; x++) dst[x] += right;
        }
    }
}

/// <summary>
/// Motion blur along a random direction θ ~ U(-45°, 45°), on the 0-255 scale, clipped. (radius, sigma)
/// per severity from bethgelab/imagecorruptions corruptions.py motion_blur (same constants as
/// hendrycks/robustness make_imagenet_c.py, which uses ImageMagick); the kernel is
/// <see cref="MotionBlurKernel"/>. One angle per image, shared by its channels.
/// </summary>
public sealed class MotionBlur : Corruption
{
    public static readonly (int Radius, double Sigma)[] Parameters = [(10, 3), (15, 5), (15, 8), (15, 12), (20, 15)];

    public override string Name => "motion_blur";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        var (radius, sigma) = Parameters[severity - 1];
        double angle = rng.Uniform(-45, 45);
        int plane = shape.PlaneSize;
        float[] rented = ArrayPool<float>.Shared.Rent(2 * plane);
        try
        {
            Span<float> source = rented.AsSpan(0, plane), blurred = rented.AsSpan(plane, plane);
            for (int ch = 0; ch < shape.Channels; ch++)
            {
                ReadOnlySpan<byte> src = image.Slice(ch * plane, plane);
                for (int i = 0; i < plane; i++) source[i] = src[i];
                MotionBlurKernel.Apply(source, blurred, shape.Height, shape.Width, radius, sigma, angle);
                CorruptionImage.StoreByteScale(blurred, output.Slice(ch * plane, plane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
