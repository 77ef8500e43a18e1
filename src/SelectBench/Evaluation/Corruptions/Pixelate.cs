using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Pixelate: PIL resize to (int(W·c), int(H·c)) with Image.BOX, then back to (W, H) with Image.NEAREST.
/// c per severity and the two resamplers from bethgelab/imagecorruptions corruptions.py pixelate
/// (hendrycks/robustness make_imagenet_c.py resizes back with BOX at a fixed 224; imagecorruptions uses
/// NEAREST at the image's own size, which we follow). A side that would become 0 is kept at 1 pixel.
/// </summary>
public sealed class Pixelate : Corruption
{
    public static readonly double[] Factor = [0.6, 0.5, 0.4, 0.3, 0.25];

    public override string Name => "pixelate";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = Factor[severity - 1];
        int h = shape.Height, w = shape.Width;
        int sh = Math.Max(1, (int)(h * c)), sw = Math.Max(1, (int)(w * c));
        byte[] rented = ArrayPool<byte>.Shared.Rent(h * sw + sh * sw);
        try
        {
            Span<byte> wide = rented.AsSpan(0, h * sw), small = rented.AsSpan(h * sw, sh * sw);
            Span<int> colFrom = stackalloc int[sw];
            Span<int> colCount = stackalloc int[sw];
            Span<int> rowFrom = stackalloc int[sh];
            Span<int> rowCount = stackalloc int[sh];
            BoxWindows(w, sw, colFrom, colCount);
            BoxWindows(h, sh, rowFrom, rowCount);
            Span<int> nearestRow = stackalloc int[h];
            Span<int> nearestCol = stackalloc int[w];
            NearestSources(sh, h, nearestRow);
            NearestSources(sw, w, nearestCol);
            for (int ch = 0; ch < shape.Channels; ch++)
            {
                ReadOnlySpan<byte> src = image.Slice(ch * h * w, h * w);
                // PIL resamples horizontally first into an 8-bit image, then vertically, rounding each pass.
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < sw; x++)
                    {
                        int sum = 0;
                        for (int k = 0; k < colCount[x]; k++) sum += src[y * w + colFrom[x] + k];
                        wide[y * sw + x] = RoundedMean(sum, colCount[x]);
                    }
                for (int y = 0; y < sh; y++)
                    for (int x = 0; x < sw; x++)
                    {
                        int sum = 0;
                        for (int k = 0; k < rowCount[y]; k++) sum += wide[(rowFrom[y] + k) * sw + x];
                        small[y * sw + x] = RoundedMean(sum, rowCount[y]);
                    }
                Span<byte> dst = output.Slice(ch * h * w, h * w);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        dst[y * w + x] = small[nearestRow[y] * sw + nearestCol[x]];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte RoundedMean(int sum, int count) => (byte)((2 * sum + count) / (2 * count));

    /// <summary>
    /// Pillow's precompute_coeffs for the box filter: output pixel i averages the input pixels whose
    /// centres lie in ((i + 0.5)·s - s/2, (i + 0.5)·s + s/2], s = in / out, all with weight 1.
    /// </summary>
    internal static void BoxWindows(int inSize, int outSize, Span<int> from, Span<int> count)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 0.5 * filterScale;
        for (int i = 0; i < outSize; i++)
        {
            double centre = (i + 0.5) * scale;
            int xmin = Math.Max((int)(centre - support + 0.5), 0);
            int xmax = Math.Min((int)(centre + support + 0.5), inSize);
            int first = -1, n = 0;
            for (int x = xmin; x < xmax; x++)
            {
                double arg = (x - centre + 0.5) / filterScale;
                if (arg > -0.5 && arg <= 0.5) { if (first < 0) first = x; n++; }
            }
            if (n == 0) { first = Math.Min(xmin, inSize - 1); n = 1; }
            from[i] = first;
            count[i] = n;
        }
    }

    /// <summary>
    /// Pillow's NEAREST resize, which does not compute floor((i + 0.5)·in / out). Image.resize calls
    /// _imaging.c _resize, which builds the affine a = (in / out, 0, 0; 0, in / out, 0) in double and runs
    /// Geometry.c ImagingTransformAffine; with no rotation that is ImagingScaleAffine, which starts at
    /// xo = a[2] + a[0]·0.5 and adds a[0] once per output pixel, reading input COORD(xo) = (int)xo.
    /// The running sum drifts below the exact product: 16 → 28 and 8 → 28 (severities 1 and 4 at 28 px)
    /// read a different input at outputs 3, 10, 17 and 24. Checked against Pillow 9.4 for every
    /// in ≤ out ≤ 512 (scripts/corruption-reference/pillow_nearest.py). Upscaling never runs past the input;
    /// the clamp only guards the degenerate sizes.
    /// </summary>
    internal static void NearestSources(int inSize, int outSize, Span<int> source)
    {
        double step = (double)inSize / outSize, xo = step * 0.5;
        for (int i = 0; i < outSize; i++)
        {
            source[i] = Math.Min((int)xo, inSize - 1);
            xo += step;
        }
    }
}
