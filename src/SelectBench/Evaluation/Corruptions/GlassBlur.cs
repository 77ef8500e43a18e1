using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Gaussian blur, local pixel shuffling, Gaussian blur again. (sigma, max_delta, iterations) per severity
/// and the algorithm from bethgelab/imagecorruptions corruptions.py glass_blur and
/// _shuffle_pixels_njit_glass_blur (same constants in hendrycks/robustness make_imagenet_c.py, which
/// hard-codes 224 where imagecorruptions uses the image's height and width):
/// <list type="number">
/// <item>skimage gaussian (mode 'nearest', truncate 4) on [0, 1], then <c>np.uint8(x * 255)</c> (truncating);</item>
/// <item>for each iteration, h from H - d down to d + 1 and w from W - d down to d + 1 (descending, as the
///   reference), swap pixel (h, w) with (h + dy, w + dx), dx, dy uniform on [-d, d) (np.random.randint's
///   exclusive upper bound), all channels together;</item>
/// <item>gaussian again on [0, 1], clip.</item>
/// </list>
/// The swaps are sequential as in the reference (later swaps see earlier ones); only the interpreter
/// overhead that made the Python loop take ~46 s per 224 image is gone.
/// </summary>
public sealed class GlassBlur : Corruption
{
    public static readonly (double Sigma, int MaxDelta, int Iterations)[] Parameters =
        [(0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)];

    public override string Name => "glass_blur";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        var (sigma, d, iterations) = Parameters[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize, channels = shape.Channels;
        float[] rented = ArrayPool<float>.Shared.Rent(shape.Size);
        try
        {
            Span<float> values = rented.AsSpan(0, shape.Size);
            CorruptionImage.ToUnit(image, values);
            for (int ch = 0; ch < channels; ch++)
                GaussianFilter.Apply(values.Slice(ch * plane, plane), h, w, sigma, sigma, BorderMode.Nearest);
            // np.uint8(gaussian(...) * 255): truncation, no clip (a Gaussian of [0,1] data stays in [0,1]).
            for (int i = 0; i < values.Length; i++) values[i] = (int)(values[i] * 255f);

            for (int it = 0; it < iterations; it++)
                for (int y = h - d; y > d; y--)
                    for (int x = w - d; x > d; x--)
                    {
                        int dx = rng.NextInt(-d, d), dy = rng.NextInt(-d, d);
                        int a = y * w + x, b = (y + dy) * w + (x + dx);
                        for (int ch = 0; ch < channels; ch++)
                        {
                            int o = ch * plane;
                            (values[o + a], values[o + b]) = (values[o + b], values[o + a]);
                        }
                    }

            for (int i = 0; i < values.Length; i++) values[i] *= 1f / 255f;
            for (int ch = 0; ch < channels; ch++)
                GaussianFilter.Apply(values.Slice(ch * plane, plane), h, w, sigma, sigma, BorderMode.Nearest);
            CorruptionImage.StoreUnit(values, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
