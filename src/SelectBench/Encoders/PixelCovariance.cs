using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Encoders;

/// <summary>
/// The mean and covariance of x = pixels / 255 over an image set, in double, the same bits on every CPU and at every
/// thread count. The trick: pixels are integers, so the sums that need care are integer sums, which are exact in
/// any order and any vector width. With s_j = sum_i p_ij and G_jk = sum_i p_ij p_ik (64-bit integers),
/// <code>cov_jk = (n G_jk - s_j s_k) / (255^2 n (n - 1)),   mean_j = s_j / (255 n)</code>
/// and the only floating-point steps are one integer-to-double conversion and one division per entry. G is a
/// byte Gram matrix computed with 16-bit multiply-adds (AVX2 vpmaddwd where available, Vector128 otherwise) into
/// 32-bit lanes flushed to 64-bit sums before they can overflow.
/// </summary>
public static class PixelCovariance
{
    /// <summary>At most this many images: n G_jk and s_j s_k must fit in a 64-bit integer (n^2 255^2 &lt; 2^63).</summary>
    public const int MaxImages = 11_000_000;
    // A multiply-add step adds at most 2 * 255^2 = 130,050 to a 32-bit lane, so a lane holds 16,512 steps below 2^31;
    // 65,536 images are 4,096 AVX2 steps or 8,192 Vector128 steps.
    private const int ChunkImages = 65_536;

    /// <summary>D means and the D x D covariance (row-major, exactly symmetric) with the n - 1 denominator.</summary>
    public static (double[] Mean, double[] Covariance) Compute(ImageSet images, int threads)
    {
        var (sums, gram) = IntegerMoments(images, threads);
        int d = images.ImageSize;
        long n = images.Count;
        var mean = new double[d];
        for (int j = 0; j < d; j++) mean[j] = sums[j] / (255.0 * n);
        var covariance = new double[(long)d * d];
        for (int j = 0; j < d; j++)
            for (int k = j; k < d; k++)
                covariance[(long)j * d + k] = covariance[(long)k * d + j] = Entry(n, gram[(long)j * d + k], sums[j], sums[k]);
        return (mean, covariance);
    }

    /// <summary>One covariance entry from the exact integer moments (the only rounding: the conversion and the division).</summary>
    public static double Entry(long n, long gram, long sumJ, long sumK) =>
        checked(n * gram - sumJ * sumK) / (255.0 * 255.0 * n * (n - 1));

    /// <summary>Column sums s_j and the Gram matrix G_jk = sum_i p_ij p_ik (upper triangle k &gt;= j filled), all exact.</summary>
    public static (long[] Sums, long[] Gram) IntegerMoments(ImageSet images, int threads)
    {
        int n = images.Count, d = images.ImageSize;
        if (n < 2) throw new SelectBenchException($"pixel covariance: needs at least 2 images, got {n}.");
        if (n > MaxImages) throw new SelectBenchException($"pixel covariance: {n:N0} images exceed the exact limit of {MaxImages:N0}; fit on a subset.");
        // Pixel columns as 16-bit lanes, padded with zeros (which add nothing) to whole vectors.
        int stride = (n + 15) / 16 * 16;
        var columns = new short[(long)d * stride];
        var row = new byte[d];
        for (int i = 0; i < n; i++)
        {
            images.CopyImage(i, row);
            for (int j = 0; j < d; j++) columns[(long)j * stride + i] = row[j];
        }
        var sums = new long[d];
        for (int j = 0; j < d; j++)
        {
            long s = 0;
            foreach (var p in columns.AsSpan(j * stride, n)) s += p;
            sums[j] = s;
        }
        var gram = new long[(long)d * d];
        // Four columns j at a time against every column k >= j; each block writes only its own rows of G, so the
        // partition over threads cannot change a value.
        int blocks = (d + 3) / 4;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, block =>
        {
            int j0 = block * 4, count = Math.Min(4, d - j0);
            Span<long> dots = stackalloc long[4];
            for (int k = j0; k < d; k++)
            {
                Dots(columns, stride, j0, count, k, dots);
                for (int t = 0; t < count; t++)
                    if (j0 + t <= k) gram[(long)(j0 + t) * d + k] = dots[t];
            }
        });
        return (sums, gram);
    }

    /// <summary>dots[t] = column (j0 + t) . column k, for t &lt; count, as exact 64-bit integers.</summary>
    private static void Dots(short[] columns, int stride, int j0, int count, int k, Span<long> dots)
    {
        dots.Clear();
        var b = columns.AsSpan(k * stride, stride);
        for (int t = 0; t < count; t++)
        {
            var a = columns.AsSpan((j0 + t) * stride, stride);
            for (int start = 0; start < stride; start += ChunkImages)
            {
                int length = Math.Min(ChunkImages, stride - start);
                dots[t] += Dot(a.Slice(start, length), b.Slice(start, length));
            }
        }
    }

    /// <summary>An exact dot product of two 16-bit columns of 0..255 values (length a multiple of 16, at most <see cref="ChunkImages"/>).</summary>
    private static long Dot(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        if (Avx2.IsSupported)
        {
            var av = MemoryMarshal.Cast<short, Vector256<short>>(a);
            var bv = MemoryMarshal.Cast<short, Vector256<short>>(b);
            var acc = Vector256<int>.Zero;
            for (int i = 0; i < av.Length; i++) acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(av[i], bv[i]));
            long total = 0;
            for (int lane = 0; lane < Vector256<int>.Count; lane++) total += acc.GetElement(lane);
            return total;
        }
        else
        {
            var av = MemoryMarshal.Cast<short, Vector128<short>>(a);
            var bv = MemoryMarshal.Cast<short, Vector128<short>>(b);
            var acc = Vector128<int>.Zero;
            for (int i = 0; i < av.Length; i++)
            {
                var (a0, a1) = Vector128.Widen(av[i]);
                var (b0, b1) = Vector128.Widen(bv[i]);
                acc += a0 * b0 + a1 * b1;
            }
            long total = 0;
            for (int lane = 0; lane < Vector128<int>.Count; lane++) total += acc.GetElement(lane);
            return total;
        }
    }
}
