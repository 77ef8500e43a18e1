using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// bethgelab/imagecorruptions corruptions.py clipped_zoom: crop the central ceil(H/z) x ceil(W/z) window
/// (top = (H - ch) // 2), enlarge it by z with scipy.ndimage.zoom(order=1) — output size round(ch * z),
/// output pixel o sampled at input coordinate o * (ch - 1) / (out - 1) — and keep the top-left H x W of
/// the result (imagecorruptions crops [:H, :W]; hendrycks/robustness trims centrally, equal-sized only).
/// </summary>
internal static class ClippedZoom
{
    /// <summary>Number of rows (or columns) scipy.ndimage.zoom outputs for the cropped window.</summary>
    public static int ZoomedSize(int size, double zoom) => (int)Math.Round(CropSize(size, zoom) * zoom, MidpointRounding.ToEven);

    private static int CropSize(int size, double zoom) => (int)Math.Ceiling(size / zoom);

    /// <summary>
    /// Writes the top-left <paramref name="outHeight"/> x <paramref name="outWidth"/> of the zoomed plane into
    /// <paramref name="destination"/>, adding to it when <paramref name="accumulate"/> is set.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> plane, int height, int width, double zoom,
                             Span<float> destination, int outHeight, int outWidth, bool accumulate)
    {
        int ch0 = CropSize(height, zoom), ch1 = CropSize(width, zoom);
        int top0 = (height - ch0) / 2, top1 = (width - ch1) / 2;
        int zh = (int)Math.Round(ch0 * zoom, MidpointRounding.ToEven), zw = (int)Math.Round(ch1 * zoom, MidpointRounding.ToEven);
        double ratioY = zh > 1 ? (ch0 - 1) / (double)(zh - 1) : 0;
        double ratioX = zw > 1 ? (ch1 - 1) / (double)(zw - 1) : 0;
        int rows = Math.Min(outHeight, zh), cols = Math.Min(outWidth, zw);

        Span<int> x0 = cols <= 1024 ? stackalloc int[cols] : new int[cols];
        Span<float> fx = cols <= 1024 ? stackalloc float[cols] : new float[cols];
        for (int x = 0; x < cols; x++)
        {
            double c = x * ratioX;
            int i = Math.Min((int)c, ch1 - 1);
            x0[x] = top1 + i;
            fx[x] = (float)(c - i);
        }
        for (int y = 0; y < rows; y++)
        {
            double r = y * ratioY;
            int i = Math.Min((int)r, ch0 - 1);
            float fy = (float)(r - i);
            ReadOnlySpan<float> a = plane.Slice((top0 + i) * width, width);
            ReadOnlySpan<float> b = plane.Slice((top0 + Math.Min(i + 1, ch0 - 1)) * width, width);
            Span<float> dst = destination.Slice(y * outWidth, outWidth);
            for (int x = 0; x < cols; x++)
            {
                int j = x0[x];
                int j1 = Math.Min(j + 1, top1 + ch1 - 1);
                float top = a[j] + fx[x] * (a[j1] - a[j]);
                float bottom = b[j] + fx[x] * (b[j1] - b[j]);
                float v = top + fy * (bottom - top);
                if (accumulate) dst[x] += v; else dst[x] = v;
            }
        }
    }
}

/// <summary>
/// Average of the image and its centre zooms by each factor of the severity's range. The ranges are
/// np.arange(1, stop, step) with (stop, step) from bethgelab/imagecorruptions corruptions.py zoom_blur
/// (same in hendrycks/robustness): numpy gives ceil((stop - 1) / step) factors in double arithmetic, so
/// severity 1 has 12 factors (1.00..1.11), not 11; we reproduce numpy's count.
/// </summary>
public sealed class ZoomBlur : Corruption
{
    public static readonly (double Stop, double Step)[] Ranges = [(1.11, 0.01), (1.16, 0.01), (1.21, 0.02), (1.26, 0.02), (1.31, 0.03)];

    private static readonly double[][] Factors = Ranges.Select(r => Arange(1, r.Stop, r.Step)).ToArray();

    public override string Name => "zoom_blur";

    /// <summary>numpy.arange(start, stop, step) for positive step.</summary>
    internal static double[] Arange(double start, double stop, double step)
    {
        int n = (int)Math.Ceiling((stop - start) / step);
        return Enumerable.Range(0, n).Select(i => start + i * step).ToArray();
    }

    public static IReadOnlyList<double> ZoomFactors(int severity) => Factors[severity - 1];

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double[] factors = Factors[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize;
        float[] rented = ArrayPool<float>.Shared.Rent(2 * plane);
        try
        {
            Span<float> x = rented.AsSpan(0, plane), sum = rented.AsSpan(plane, plane);
            for (int ch = 0; ch < shape.Channels; ch++)
            {
                CorruptionImage.ToUnit(image.Slice(ch * plane, plane), x);
                x.CopyTo(sum); // the "x +" of (x + out) / (len(c) + 1)
                foreach (double z in factors) ClippedZoom.Apply(x, h, w, z, sum, h, w, accumulate: true);
                float norm = 1f / (factors.Length + 1);
                for (int i = 0; i < plane; i++) sum[i] *= norm;
                CorruptionImage.StoreUnit(sum, output.Slice(ch * plane, plane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
