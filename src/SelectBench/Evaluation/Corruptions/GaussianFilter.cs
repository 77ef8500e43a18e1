using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>How a filter reads pixels beyond the border, named as in scipy.ndimage.</summary>
public enum BorderMode
{
    /// <summary>aaa|abcd|ddd — skimage.filters.gaussian's default, used by glass blur.</summary>
    Nearest,
    /// <summary>dcba|abcd|dcba (half-sample symmetric) — scipy 'reflect', used by elastic transform.</summary>
    Reflect,
    /// <summary>dcb|abcd|cba (whole-sample symmetric) — scipy 'mirror', OpenCV BORDER_REFLECT_101 (cv2 filters' default).</summary>
    Mirror,
}

/// <summary>
/// Separable Gaussian filter on one float plane with scipy.ndimage.gaussian_filter semantics (what
/// skimage.filters.gaussian calls): the kernel radius is int(truncate * sigma + 0.5), weights
/// exp(-x²/2σ²) normalised to sum 1, axis 0 (rows) filtered first, then axis 1.
/// </summary>
public static class GaussianFilter
{
    /// <summary>scipy.ndimage's default truncate, and skimage.filters.gaussian's.</summary>
    public const double DefaultTruncate = 4.0;

    /// <summary>Index <paramref name="i"/> mapped into [0, n) by the border rule.</summary>
    public static int Extend(int i, int n, BorderMode mode)
    {
        if ((uint)i < (uint)n) return i;
        switch (mode)
        {
            case BorderMode.Nearest:
                return i < 0 ? 0 : n - 1;
            case BorderMode.Reflect:
                {
                    int period = 2 * n;
                    int m = i % period;
                    if (m < 0) m += period;
                    return m < n ? m : period - 1 - m;
                }
            default:
                {
                    if (n == 1) return 0;
                    int period = 2 * n - 2;
                    int m = i % period;
                    if (m < 0) m += period;
                    return m < n ? m : period - m;
                }
        }
    }

    /// <summary>Kernel radius scipy uses: int(truncate * sigma + 0.5).</summary>
    public static int Radius(double sigma, double truncate) => (int)(truncate * sigma + 0.5);

    /// <summary>The normalised 1-D kernel of length 2 * radius + 1.</summary>
    public static void Kernel(double sigma, int radius, Span<float> kernel)
    {
        double sum = 0;
        Span<double> w = kernel.Length <= 256 ? stackalloc double[kernel.Length] : new double[kernel.Length];
        for (int k = -radius; k <= radius; k++)
        {
            double v = Math.Exp(-0.5 * k * k / (sigma * sigma));
            w[k + radius] = v;
            sum += v;
        }
        for (int k = 0; k < w.Length; k++) kernel[k] = (float)(w[k] / sum);
    }

    /// <summary>Filters <paramref name="plane"/> (height x width, row-major) in place.</summary>
    public static void Apply(Span<float> plane, int height, int width, double sigmaRows, double sigmaColumns,
                             BorderMode mode, double truncate = DefaultTruncate)
    {
        float[] rented = ArrayPool<float>.Shared.Rent(plane.Length + Math.Max(height, width) * 2 + 64);
        try
        {
            Span<float> copy = rented.AsSpan(0, plane.Length);
            if (sigmaRows > 0) FilterRows(plane, copy, height, width, sigmaRows, mode, truncate);
            if (sigmaColumns > 0) FilterColumns(plane, rented.AsSpan(plane.Length), height, width, sigmaColumns, mode, truncate);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    // Along axis 0: each output row is a weighted sum of whole input rows, so the inner loop runs over
    // contiguous memory.
    private static void FilterRows(Span<float> plane, Span<float> copy, int height, int width, double sigma,
                                   BorderMode mode, double truncate)
    {
        int r = Radius(sigma, truncate);
        if (r == 0) return;
        Span<float> kernel = stackalloc float[2 * r + 1];
        Kernel(sigma, r, kernel);
        plane.CopyTo(copy);
        for (int y = 0; y < height; y++)
        {
            Span<float> dst = plane.Slice(y * width, width);
            dst.Clear();
            for (int k = -r; k <= r; k++)
            {
                float w = kernel[k + r];
                ReadOnlySpan<float> src = copy.Slice(Extend(y + k, height, mode) * width, width);
                for (int x = 0; x < width; x++) dst[x] += w * src[x];
            }
        }
    }

    // Along axis 1: pad one row with the border rule, then a direct 1-D correlation.
    private static void FilterColumns(Span<float> plane, Span<float> scratch, int height, int width, double sigma,
                                      BorderMode mode, double truncate)
    {
        int r = Radius(sigma, truncate);
        if (r == 0) return;
        Span<float> kernel = stackalloc float[2 * r + 1];
        Kernel(sigma, r, kernel);
        Span<float> padded = width + 2 * r <= scratch.Length ? scratch.Slice(0, width + 2 * r) : new float[width + 2 * r];
        for (int y = 0; y < height; y++)
        {
            Span<float> row = plane.Slice(y * width, width);
            for (int x = -r; x < width + r; x++) padded[x + r] = row[Extend(x, width, mode)];
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                ReadOnlySpan<float> window = padded.Slice(x, 2 * r + 1);
                for (int k = 0; k < window.Length; k++) acc += kernel[k] * window[k];
                row[x] = acc;
            }
        }
    }
}
