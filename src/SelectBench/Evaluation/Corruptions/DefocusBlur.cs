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
        float[] rented = ArrayPool<float>.Shared.Rent(ph * pw + h * w);
        try
        {
            Span<float> padded = rented.AsSpan(0, ph * pw);
            Span<float> result = rented.AsSpan(ph * pw, h * w);
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
                result.Clear();
                // Tap by tap over whole rows: contiguous inner loops the JIT vectorises.
                foreach (var (dy, dx, weight) in kernel.Taps)
                {
                    for (int y = 0; y < h; y++)
                    {
                        ReadOnlySpan<float> s = padded.Slice((y + dy) * pw + dx, w);
                        Span<float> d = result.Slice(y * w, w);
                        for (int x = 0; x < w; x++) d[x] += weight * s[x];
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

    /// <summary>The reference's disk(radius, alias_blur) as a list of non-zero taps (offsets into the padded image).</summary>
    private sealed record DiskKernel(int HalfWidth, (int Dy, int Dx, float Weight)[] Taps)
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
            var taps = new List<(int, int, float)>();
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    if (smooth[y * n + x] > 1e-12) taps.Add((y, x, (float)smooth[y * n + x]));
            return new DiskKernel(half, taps.ToArray());
        }
    }
}
