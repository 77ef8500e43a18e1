using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Convolution with an anti-aliased disk. (radius, alias_blur) per severity and the disk construction
/// from bethgelab/imagecorruptions corruptions.py defocus_blur / disk (identical in hendrycks/robustness
/// make_imagenet_c.py): a binary disk X²+Y² &lt;= r² on a grid of half-width max(8, r), normalised,
/// smoothed by cv2.GaussianBlur with a 3x3 (r &lt;= 8) or 5x5 kernel of sigma alias_blur, then applied
/// per channel with cv2.filter2D (correlation, BORDER_REFLECT_101).
/// </summary>
public sealed class DefocusBlur : Corruption
{
    public static readonly (double Radius, double AliasBlur)[] Parameters =
        [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)];

    private static readonly DiskKernel[] Kernels = Parameters.Select(p => DiskKernel.Create(p.Radius, p.AliasBlur)).ToArray();

    public override string Name => "defocus_blur";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        DiskKernel kernel = Kernels[severity - 1];
        int h = shape.Height, w = shape.Width, r = kernel.HalfWidth;
        int pw = w + 2 * r, ph = h + 2 * r;
        float[] rented = ArrayPool<float>.Shared.Rent(ph * pw + h * w + ph * (pw + 1));
        try
        {
            Span<float> padded = rented.AsSpan(0, ph * pw);
            Span<float> result = rented.AsSpan(ph * pw, h * w);
            Span<float> prefix = rented.AsSpan(ph * pw + h * w, ph * (pw + 1));
            for (int ch = 0; ch < shape.Channels; ch++)
            {
                ReadOnlySpan<byte> src = image.Slice(ch * h * w, h * w);
                for (int y = 0; y < ph; y++)
                {
                    int sy = GaussianFilter.Extend(y - r, h, BorderMode.Mirror);
                    Span<float> prow = padded.Slice(y * pw, pw);
                    for (int x = 0; x < pw; x++)
                        prow[x] = src[sy * w + GaussianFilter.Extend(x - r, w, BorderMode.Mirror)] * (1f / 255f);
                }
                // Row prefix sums: the disk's interior weights are equal, so each kernel row is one run of
                // constant weight (a prefix-sum difference) plus a few anti-aliased edge taps.
                for (int y = 0; y < ph; y++)
                {
                    ReadOnlySpan<float> prow = padded.Slice(y * pw, pw);
                    Span<float> pre = prefix.Slice(y * (pw + 1), pw + 1);
                    float acc = 0;
                    pre[0] = 0;
                    for (int x = 0; x < pw; x++) { acc += prow[x]; pre[x + 1] = acc; }
                }
                result.Clear();
                for (int y = 0; y < h; y++)
                {
                    Span<float> d = result.Slice(y * w, w);
                    foreach (var row in kernel.Rows)
                    {
                        int sy = y + row.Dy;
                        if (row.RunLength > 0)
                        {
                            ReadOnlySpan<float> hi = prefix.Slice(sy * (pw + 1) + row.RunStart + row.RunLength, w);
                            ReadOnlySpan<float> lo = prefix.Slice(sy * (pw + 1) + row.RunStart, w);
                            float rw = row.RunWeight;
                            for (int x = 0; x < w; x++) d[x] += rw * (hi[x] - lo[x]);
                        }
                        foreach (var (dx, weight) in row.Edges)
                        {
                            ReadOnlySpan<float> s = padded.Slice(sy * pw + dx, w);
                            for (int x = 0; x < w; x++) d[x] += weight * s[x];
                        }
                    }
                }
                CorruptionImage.StoreUnit(result, output.Slice(ch * h * w, h * w));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>One kernel row: a run of equal interior weights [RunStart, RunStart + RunLength) plus edge taps.</summary>
    private sealed record KernelRow(int Dy, int RunStart, int RunLength, float RunWeight, (int Dx, float Weight)[] Edges);

    /// <summary>The reference's disk(radius, alias_blur), row by row (offsets into the padded image).</summary>
    private sealed record DiskKernel(int HalfWidth, KernelRow[] Rows)
    {
        public static DiskKernel Create(double radius, double aliasBlur)
        {
            int half = radius <= 8 ? 8 : (int)radius;
            int ksize = radius <= 8 ? 3 : 5;
            int n = 2 * half + 1;
            var disk = new double[n * n];
            double total = 0;
            for (int y = -half; y <= half; y++)
                for (int x = -half; x <= half; x++)
                    if (x * x + y * y <= radius * radius) { disk[(y + half) * n + x + half] = 1; total++; }
            for (int i = 0; i < disk.Length; i++) disk[i] /= total;

            // cv2.GaussianBlur(ksize, sigmaX = sigmaY = alias_blur), BORDER_REFLECT_101, separable.
            int kr = ksize / 2;
            var g = new double[ksize];
            double gs = 0;
            for (int k = -kr; k <= kr; k++) { g[k + kr] = Math.Exp(-(k * k) / (2 * aliasBlur * aliasBlur)); gs += g[k + kr]; }
            for (int k = 0; k < ksize; k++) g[k] /= gs;
            var tmp = new double[n * n];
            var smooth = new double[n * n];
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    double acc = 0;
                    for (int k = -kr; k <= kr; k++) acc += g[k + kr] * disk[y * n + GaussianFilter.Extend(x + k, n, BorderMode.Mirror)];
                    tmp[y * n + x] = acc;
                }
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    double acc = 0;
                    for (int k = -kr; k <= kr; k++) acc += g[k + kr] * tmp[GaussianFilter.Extend(y + k, n, BorderMode.Mirror) * n + x];
                    smooth[y * n + x] = acc;
                }
            // Interior taps all equal 1/total up to rounding; group them into one run per row. Taps below
            // 1e-12 (the e^-50 tails of the 0.1-sigma blur) are dropped.
            double interior = 1.0 / total;
            var rows = new List<KernelRow>();
            for (int y = 0; y < n; y++)
            {
                int runStart = -1, runLength = 0;
                for (int x = 0; x < n; x++)
                {
                    bool equal = Math.Abs(smooth[y * n + x] - interior) <= 1e-9 * interior;
                    if (equal && runStart < 0) runStart = x;
                    if (equal && runStart >= 0 && x == runStart + runLength) runLength++;
                }
                var edges = new List<(int, float)>();
                for (int x = 0; x < n; x++)
                {
                    bool inRun = runLength > 0 && x >= runStart && x < runStart + runLength;
                    if (!inRun && smooth[y * n + x] > 1e-12) edges.Add((x, (float)smooth[y * n + x]));
                }
                if (runLength > 0 || edges.Count > 0)
                    rows.Add(new KernelRow(y, Math.Max(runStart, 0), runLength, (float)interior, edges.ToArray()));
            }
            return new DiskKernel(half, rows.ToArray());
        }
    }
}
