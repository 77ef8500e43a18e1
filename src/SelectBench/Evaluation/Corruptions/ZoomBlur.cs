using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// bethgelab/imagecorruptions corruptions.py clipped_zoom: crop the central ceil(H/z) x ceil(W/z) window
/// (top = (H - ch) // 2), enlarge it by z with scipy.ndimage.zoom(order=1, mode='constant') and keep the
/// top-left H x W of the result (imagecorruptions crops [:H, :W]; hendrycks/robustness trims centrally,
/// equal-sized only). The enlargement reproduces scipy 1.10's NI_ZoomShift (scipy/ndimage/src/ni_interpolation.c)
/// operation for operation, so float32 results are bit-identical:
/// <list type="bullet">
/// <item>output size round(ch·z) (half to even); ratio (ch - 1) / (out - 1), or 1 when out = 1;</item>
/// <item>output o samples input coordinate cc = o·ratio in double; a coordinate beyond ch - 1 (round-off on
/// the last sample) is outside the image and mode 'constant' makes the whole output pixel 0;</item>
/// <item>weights from get_spline_interpolation_weights (ni_splines.c): w0 = 1 - t, w1 = 1 - w0 (not t);</item>
/// <item>the value is summed in double over the 2 x 2 footprint, row tap first, each term (v·wy)·wx, then
/// stored as float32 (the reference's arrays are float32 in zoom_blur).</item>
/// </list>
/// The reference zooms an H x W x 1 or x 3 array with factor 1 on the last axis; that axis contributes weights
/// 1 and 0 only, which change neither the products nor the sums.
/// </summary>
internal static class ClippedZoom
{
    /// <summary>Number of rows (or columns) scipy.ndimage.zoom outputs for the cropped window.</summary>
    public static int ZoomedSize(int size, double zoom) => (int)Math.Round(CropSize(size, zoom) * zoom, MidpointRounding.ToEven);

    private static int CropSize(int size, double zoom) => (int)Math.Ceiling(size / zoom);

    /// <summary>
    /// Writes the top-left <paramref name="outHeight"/> x <paramref name="outWidth"/> of the zoomed plane into
    /// <paramref name="destination"/>, adding to it (in float, as numpy's <c>out += zoom_layer</c>) when
    /// <paramref name="accumulate"/> is set.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> plane, int height, int width, double zoom,
                             Span<float> destination, int outHeight, int outWidth, bool accumulate)
    {
        int ch0 = CropSize(height, zoom), ch1 = CropSize(width, zoom);
        int top0 = (height - ch0) / 2, top1 = (width - ch1) / 2;
        int rows = Math.Min(outHeight, ZoomedSize(height, zoom)), cols = Math.Min(outWidth, ZoomedSize(width, zoom));

        int[] rented = ArrayPool<int>.Shared.Rent(2 * (rows + cols));
        double[] weights = ArrayPool<double>.Shared.Rent(2 * (rows + cols));
        try
        {
            Span<int> rowFrom = rented.AsSpan(0, rows), rowNext = rented.AsSpan(rows, rows);
            Span<int> colFrom = rented.AsSpan(2 * rows, cols), colNext = rented.AsSpan(2 * rows + cols, cols);
            Span<double> rowW0 = weights.AsSpan(0, rows), rowW1 = weights.AsSpan(rows, rows);
            Span<double> colW0 = weights.AsSpan(2 * rows, cols), colW1 = weights.AsSpan(2 * rows + cols, cols);
            Taps(ch0, ZoomedSize(height, zoom), rowFrom, rowNext, rowW0, rowW1);
            Taps(ch1, ZoomedSize(width, zoom), colFrom, colNext, colW0, colW1);
            for (int y = 0; y < rows; y++)
            {
                Span<float> dst = destination.Slice(y * outWidth, outWidth);
                if (rowFrom[y] < 0)
                {
                    if (!accumulate) dst[..cols].Clear();
                    continue;
                }
                ReadOnlySpan<float> a = plane.Slice((top0 + rowFrom[y]) * width + top1, ch1);
                ReadOnlySpan<float> b = plane.Slice((top0 + rowNext[y]) * width + top1, ch1);
                double wy0 = rowW0[y], wy1 = rowW1[y];
                for (int x = 0; x < cols; x++)
                {
                    int j0 = colFrom[x], j1 = colNext[x];
                    float v = 0f;
                    if (j0 >= 0)
                    {
                        double wx0 = colW0[x], wx1 = colW1[x];
                        double t = a[j0] * wy0 * wx0;
                        t += a[j1] * wy0 * wx1;
                        t += b[j0] * wy1 * wx0;
                        t += b[j1] * wy1 * wx1;
                        v = (float)t;
                    }
                    if (accumulate) dst[x] += v; else dst[x] = v;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
            ArrayPool<double>.Shared.Return(weights);
        }
    }

    /// <summary>
    /// Per output index along one axis: the two input taps and their weights, as NI_ZoomShift computes them;
    /// from = -1 marks a coordinate outside the input (the output pixel is cval = 0).
    /// </summary>
    private static void Taps(int inSize, int outSize, Span<int> from, Span<int> next, Span<double> w0, Span<double> w1)
    {
        // numpy.divide(in - 1, out - 1, where=out - 1 != 0, out=ones): the ratio is 1 for a single output.
        double ratio = outSize > 1 ? (inSize - 1) / (double)(outSize - 1) : 1.0;
        for (int o = 0; o < from.Length; o++)
        {
            double cc = o * ratio;
            if (cc > inSize - 1)
            {
                from[o] = -1;
                next[o] = 0;
                w0[o] = w1[o] = 0;
                continue;
            }
            int start = (int)Math.Floor(cc);
            // At the last input index the second tap mirrors back inside (spline_mode = mirror); its weight is 0.
            from[o] = start;
            next[o] = start + 1 < inSize ? start + 1 : Math.Max(inSize - 2, 0);
            double t = cc - start;
            w0[o] = 1.0 - t;
            w1[o] = 1.0 - w0[o];
        }
    }
}

/// <summary>
/// Average of the image and its centre zooms by each factor of the severity's range, from
/// bethgelab/imagecorruptions corruptions.py zoom_blur (same constants in hendrycks/robustness):
/// <c>x = (x + sum of clipped_zoom(x, z)) / (len(c) + 1)</c> with <c>c = np.arange(1, stop, step)</c>.
/// The factors follow numpy's arange arithmetic exactly (<see cref="Arange"/>): at 32 px the last factor of
/// severity 5, 1.3000000000000003, zooms a 25-pixel crop to 33 pixels where 1.3 would give 32. The float32
/// steps are the reference's: x = float32(byte / 255.) (computed in double, then rounded), the zoom layers
/// summed into a zero array in order, then x added, divided by len(c) + 1, clipped and multiplied by 255.
/// </summary>
public sealed class ZoomBlur : Corruption
{
    public static readonly (double Stop, double Step)[] Ranges = [(1.11, 0.01), (1.16, 0.01), (1.21, 0.02), (1.26, 0.02), (1.31, 0.03)];

    private static readonly double[][] Factors = Ranges.Select(r => Arange(1, r.Stop, r.Step)).ToArray();

    public override string Name => "zoom_blur";

    /// <summary>
    /// numpy.arange(start, stop, step) for a positive float step, as numpy 1.24 computes it
    /// (numpy/core/src/multiarray/ctors.c PyArray_ArangeObj and arraytypes.c.src DOUBLE_fill):
    /// length ceil((stop - start) / step); element 0 is start, element 1 is next = start + step, and
    /// DOUBLE_fill writes element i ≥ 2 as start + i·delta with delta = next - start. So the spacing is
    /// (start + step) - start (0.030000000000000027 for 1 + 0.03), not step, and 1 + 10·delta =
    /// 1.3000000000000003, where 1 + 10·0.03 = 1.3.
    /// </summary>
    internal static double[] Arange(double start, double stop, double step)
    {
        int n = (int)Math.Ceiling((stop - start) / step);
        var values = new double[n];
        double next = start + step, delta = next - start;
        for (int i = 0; i < n; i++) values[i] = i == 0 ? start : i == 1 ? next : start + i * delta;
        return values;
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
            float count = factors.Length + 1;
            for (int ch = 0; ch < shape.Channels; ch++)
            {
                CorruptionImage.ToUnit(image.Slice(ch * plane, plane), x);
                sum.Clear(); // out = np.zeros_like(x); out += zoom_layer for each factor, in order
                foreach (double z in factors) ClippedZoom.Apply(x, h, w, z, sum, h, w, accumulate: true);
                for (int i = 0; i < plane; i++) sum[i] = (x[i] + sum[i]) / count;
                CorruptionImage.StoreUnit(sum, output.Slice(ch * plane, plane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
