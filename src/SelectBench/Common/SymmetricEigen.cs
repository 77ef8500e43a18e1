using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SelectBench.Common;

/// <summary>Eigenvalues in decreasing order and unit eigenvectors (row i belongs to value i) of a symmetric matrix.</summary>
public sealed record SymmetricEigenResult(double[] Values, double[] Vectors, int Size)
{
    public ReadOnlySpan<double> Vector(int i) => Vectors.AsSpan(i * Size, Size);
}

/// <summary>
/// Eigen-decomposition of a real symmetric matrix whose result is the same bits on every CPU and at every thread
/// count: Householder reduction to tridiagonal form and the implicit QL algorithm (tred2 and tql2 of EISPACK,
/// Bowdler, Martin, Reinsch and Wilkinson, Handbook for Automatic Computation vol. II, 1971; the loop structure
/// follows the public-domain JAMA port). Why not LAPACK (torch.linalg.eigh): its blocked kernels sum in an order
/// that depends on the SIMD width and thread count, so two CPUs give different last bits and, after whitening
/// and a nearest-neighbour search, different shifts.
/// <para>How the bits are pinned: single-threaded; only +, -, *, / and sqrt (correctly rounded in IEEE 754, unlike
/// exp or pow whose last bit depends on the math library); every sum is a plain left-to-right scalar loop; RyuJIT
/// never fuses a*b+c into an FMA unless asked. The O(n^3) element-wise updates (rank-2 updates, Givens rotations of
/// the eigenvector rows) use Vector256 where it is accelerated: element-wise IEEE operations give the same bits in
/// any vector width, and <paramref name="simd"/> = false runs them element by element to prove it (a test compares
/// the two bit for bit).</para>
/// <para>Sign convention: each eigenvector's entry of largest magnitude (the first, on a tie) is positive.
/// Ordering: decreasing eigenvalue; equal values keep the order QL produced them in.</para>
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Decomposes the n x n row-major <paramref name="matrix"/>, which must be exactly symmetric and finite.</summary>
    public static SymmetricEigenResult Decompose(ReadOnlySpan<double> matrix, int n, bool simd = true)
    {
        if (n <= 0 || matrix.Length != (long)n * n)
            throw new ArgumentException($"expected an n x n matrix with n > 0; got {matrix.Length} values for n = {n}");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double a = matrix[i * n + j];
                if (!double.IsFinite(a)) throw new SelectBenchException($"eigen-decomposition: entry ({i}, {j}) is {a}; the matrix must be finite.");
                if (a != matrix[j * n + i]) throw new SelectBenchException($"eigen-decomposition: entries ({i}, {j}) and ({j}, {i}) differ; the matrix must be symmetric.");
            }
        var ops = new Elementwise(simd && Vector256.IsHardwareAccelerated);
        // w holds V transposed (w[b * n + a] = V[a][b]), so every inner loop of tred2/tql2 walks a contiguous row.
        var w = matrix.ToArray();
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(w, d, e, n, ops);
        QlImplicit(w, d, e, n, ops);

        var order = Enumerable.Range(0, n).OrderByDescending(i => d[i]).ToArray(); // stable: ties keep QL's order
        var values = new double[n];
        var vectors = new double[(long)n * n];
        for (int r = 0; r < n; r++)
        {
            values[r] = d[order[r]];
            var source = w.AsSpan(order[r] * n, n);
            var target = vectors.AsSpan(r * n, n);
            int largest = 0;
            for (int k = 1; k < n; k++)
                if (Math.Abs(source[k]) > Math.Abs(source[largest])) largest = k;
            bool flip = source[largest] < 0;
            for (int k = 0; k < n; k++) target[k] = flip ? -source[k] : source[k];
        }
        return new SymmetricEigenResult(values, vectors, n);
    }

    /// <summary>EISPACK tred2: Householder reduction to tridiagonal form, accumulating the transformations in w.</summary>
    private static void Tridiagonalize(double[] w, double[] d, double[] e, int n, Elementwise ops)
    {
        for (int j = 0; j < n; j++) d[j] = w[j * n + n - 1];
        for (int i = n - 1; i > 0; i--)
        {
            // Scale to avoid under- and overflow.
            double scale = 0, h = 0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = w[j * n + i - 1];
                    w[j * n + i] = 0;
                    w[i * n + j] = 0;
                }
            }
            else
            {
                // The Householder vector.
                for (int k = 0; k < i; k++) d[k] /= scale;
                for (int k = 0; k < i; k++) h += d[k] * d[k];
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                Array.Clear(e, 0, i);
                // Apply the similarity transformation to the remaining columns.
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    w[i * n + j] = f;
                    var column = w.AsSpan(j * n, n);
                    g = e[j] + column[j] * f;
                    for (int k = j + 1; k <= i - 1; k++) g += column[k] * d[k];
                    ops.AddScaled(e.AsSpan(j + 1, i - 1 - j), column.Slice(j + 1, i - 1 - j), f);
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) e[j] /= h;
                for (int j = 0; j < i; j++) f += e[j] * d[j];
                double hh = f / (h + h);
                ops.SubtractScaled(e.AsSpan(0, i), d.AsSpan(0, i), hh);
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    ops.SubtractTwoScaled(w.AsSpan(j * n + j, i - j), e.AsSpan(j, i - j), f, d.AsSpan(j, i - j), g);
                    d[j] = w[j * n + i - 1];
                    w[j * n + i] = 0;
                }
            }
            d[i] = h;
        }

        // Accumulate the transformations.
        for (int i = 0; i < n - 1; i++)
        {
            w[i * n + n - 1] = w[i * n + i];
            w[i * n + i] = 1;
            double h = d[i + 1];
            var next = w.AsSpan((i + 1) * n, i + 1);
            if (h != 0)
            {
                ops.Divide(d.AsSpan(0, i + 1), next, h);
                for (int j = 0; j <= i; j++)
                {
                    var column = w.AsSpan(j * n, i + 1);
                    double g = 0;
                    for (int k = 0; k <= i; k++) g += next[k] * column[k];
                    ops.SubtractScaled(column, d.AsSpan(0, i + 1), g);
                }
            }
            next.Clear();
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = w[j * n + n - 1];
            w[j * n + n - 1] = 0;
        }
        w[(n - 1) * n + n - 1] = 1;
        e[0] = 0;
    }

    /// <summary>EISPACK tql2: the implicit QL algorithm on the tridiagonal (d, e), rotating the rows of w.</summary>
    private static void QlImplicit(double[] w, double[] d, double[] e, int n, Elementwise ops)
    {
        for (int i = 1; i < n; i++) e[i - 1] = e[i];
        e[n - 1] = 0;
        double f = 0, tst1 = 0;
        const double eps = 2.220446049250313E-16; // 2^-52
        for (int l = 0; l < n; l++)
        {
            // Find a small subdiagonal element.
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                int iterations = 0;
                do
                {
                    // QL converges in two or three iterations per eigenvalue; this many means the input was not what we checked.
                    if (++iterations > 100)
                        throw new SelectBenchException($"eigen-decomposition: QL did not converge for eigenvalue {l} of {n} after 100 iterations.");
                    // The implicit shift.
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Hypot(p, 1.0);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;
                    // The implicit QL transformation.
                    p = d[m];
                    double c = 1, c2 = c, c3 = c;
                    double el1 = e[l + 1];
                    double s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        ops.Rotate(w.AsSpan(i * n, n), w.AsSpan((i + 1) * n, n), c, s);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    /// <summary>sqrt(a^2 + b^2) without overflow, from +, *, / and sqrt only (double.Hypot's last bit is the runtime's business).</summary>
    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a);
        b = Math.Abs(b);
        if (a < b) (a, b) = (b, a);
        if (a == 0) return 0;
        double t = b / a;
        return a * Math.Sqrt(1 + t * t);
    }

    /// <summary>
    /// The element-wise updates, each written once in Vector256 and once per element with the same operations in
    /// the same grouping (no FMA), so both paths give the same bits.
    /// </summary>
    private readonly struct Elementwise(bool simd)
    {
        /// <summary>y[k] += x[k] * a.</summary>
        public void AddScaled(Span<double> y, ReadOnlySpan<double> x, double a)
        {
            int k = 0;
            if (simd)
            {
                var av = Vector256.Create(a);
                var yv = MemoryMarshal.Cast<double, Vector256<double>>(y);
                var xv = MemoryMarshal.Cast<double, Vector256<double>>(x);
                for (; k < yv.Length; k++) yv[k] += xv[k] * av;
                k *= Vector256<double>.Count;
            }
            for (; k < y.Length; k++) y[k] += x[k] * a;
        }

        /// <summary>y[k] -= x[k] * a.</summary>
        public void SubtractScaled(Span<double> y, ReadOnlySpan<double> x, double a)
        {
            int k = 0;
            if (simd)
            {
                var av = Vector256.Create(a);
                var yv = MemoryMarshal.Cast<double, Vector256<double>>(y);
                var xv = MemoryMarshal.Cast<double, Vector256<double>>(x);
                for (; k < yv.Length; k++) yv[k] -= xv[k] * av;
                k *= Vector256<double>.Count;
            }
            for (; k < y.Length; k++) y[k] -= x[k] * a;
        }

        /// <summary>y[k] -= (a * x[k] + b * z[k]).</summary>
        public void SubtractTwoScaled(Span<double> y, ReadOnlySpan<double> x, double a, ReadOnlySpan<double> z, double b)
        {
            int k = 0;
            if (simd)
            {
                Vector256<double> av = Vector256.Create(a), bv = Vector256.Create(b);
                var yv = MemoryMarshal.Cast<double, Vector256<double>>(y);
                var xv = MemoryMarshal.Cast<double, Vector256<double>>(x);
                var zv = MemoryMarshal.Cast<double, Vector256<double>>(z);
                for (; k < yv.Length; k++) yv[k] -= av * xv[k] + bv * zv[k];
                k *= Vector256<double>.Count;
            }
            for (; k < y.Length; k++) y[k] -= a * x[k] + b * z[k];
        }

        /// <summary>y[k] = x[k] / a.</summary>
        public void Divide(Span<double> y, ReadOnlySpan<double> x, double a)
        {
            int k = 0;
            if (simd)
            {
                var av = Vector256.Create(a);
                var yv = MemoryMarshal.Cast<double, Vector256<double>>(y);
                var xv = MemoryMarshal.Cast<double, Vector256<double>>(x);
                for (; k < yv.Length; k++) yv[k] = xv[k] / av;
                k *= Vector256<double>.Count;
            }
            for (; k < y.Length; k++) y[k] = x[k] / a;
        }

        /// <summary>The Givens rotation of two rows: hi' = s * lo + c * hi, lo' = c * lo - s * hi.</summary>
        public void Rotate(Span<double> lo, Span<double> hi, double c, double s)
        {
            int k = 0;
            if (simd)
            {
                Vector256<double> cv = Vector256.Create(c), sv = Vector256.Create(s);
                var lv = MemoryMarshal.Cast<double, Vector256<double>>(lo);
                var hv = MemoryMarshal.Cast<double, Vector256<double>>(hi);
                for (; k < lv.Length; k++)
                {
                    var h = hv[k];
                    hv[k] = sv * lv[k] + cv * h;
                    lv[k] = cv * lv[k] - sv * h;
                }
                k *= Vector256<double>.Count;
            }
            for (; k < lo.Length; k++)
            {
                double h = hi[k];
                hi[k] = s * lo[k] + c * h;
                lo[k] = c * lo[k] - s * h;
            }
        }
    }
}
