using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using SelectBench.Common;
using SelectBench.Data;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

/// <summary>Saved state of a fitted <see cref="PixelPcaEncoder"/> (pca.json; the float64 arrays sit beside it as .npy).</summary>
public sealed record PixelPcaState(int Components, int Channels, int Height, int Width, double Epsilon,
                                   double[] Eigenvalues, int FittedOn, string Method, string StateHash);

/// <summary>
/// Whitened principal components of raw pixels: x = pixels / 255 (flattened C*H*W), centred by the fitted
/// mean, projected on the top k eigenvectors of the covariance and divided by sqrt(eigenvalue + epsilon),
/// so every output dimension has unit variance on the fitting set. The fast default encoder for small grey
/// images (docs/architecture.md#vocabulary).
/// <para>Exact and CPU-independent for D up to <see cref="MaxExactDimension"/>: the covariance comes from exact
/// integer pixel moments (<see cref="PixelCovariance"/>), the components from a deterministic Householder + QL
/// eigen-solver (<see cref="SymmetricEigen"/>), and encoding sums over pixels in a fixed order in double. The same
/// images give the same components and embeddings, bit for bit, on an AVX2 or an AVX-512 CPU and at any thread
/// count, so curation decisions built on them (nearest neighbours, thresholds) do not move between machines.
/// Above D = 4096 the covariance no longer fits (a 12,288-pixel image needs a 1.2 GB matrix and hours of
/// eigen-solving): a randomized SVD in libtorch (Halko, Martinsson and Tropp 2011, algorithm 4.4 with two power
/// iterations) is used instead, and that one is not bit-exact across CPUs (State.Method says which ran).</para>
/// </summary>
public sealed class PixelPcaEncoder : IImageEncoder
{
    public const int MaxExactDimension = 4096;

    /// <summary>
    /// An out-of-core fit set (docs/data.md "Out-of-core sets") is fitted on a class-balanced seeded sample of at most this
    /// many images, so the fit's memory (the sample as float64, about 0.9 GB at 192 px) does not grow with the set:
    /// 64 components need far fewer samples than ImageNet's 1.28M. In-memory sets are fitted whole, as before.
    /// </summary>
    public const int MaxOutOfCoreFitImages = 1024;
    /// <summary>State.Method of the exact fit (the integer-moment covariance and tred2/tql2).</summary>
    public const string ExactMethod = "exact-covariance-tql2";
    public const string RandomizedMethod = "randomized-svd";
    private const string StateFile = "pca.json", MeanFile = "pca_mean.npy", ComponentsFile = "pca_components.npy";
    // Images per parallel encoding task: enough work to amortise the task, few enough to balance two cores.
    private const int EncodeBlock = 256;

    private readonly double[] _mean;        // D, in units of pixels / 255
    private readonly double[] _components;  // k x D, unit rows, sorted by decreasing eigenvalue
    private readonly double[] _projection;  // D x k: components^T / sqrt(max(eigenvalue, 0) + epsilon)

    public PixelPcaState State { get; }
    public string Name { get; }
    public int Dimension => State.Components;
    /// <summary>Threads of <see cref="Encode"/>; null = libtorch's setting (jobs set it from their thread budget). Any count gives the same bits.</summary>
    public int? Threads { get; private init; }

    /// <summary>The same fitted encoder encoding with <paramref name="threads"/> threads.</summary>
    public PixelPcaEncoder WithThreads(int? threads) => new(State, _mean, _components) { Threads = threads };

    /// <summary>The fitted mean of pixels / 255 (D values).</summary>
    public ReadOnlySpan<double> Mean => _mean;
    /// <summary>The components, k rows of D values, largest eigenvalue first.</summary>
    public ReadOnlySpan<double> Components => _components;

    private PixelPcaEncoder(PixelPcaState state, double[] mean, double[] components)
    {
        State = state;
        _mean = mean;
        _components = components;
        Name = $"pixel-pca-k{state.Components}-{state.StateHash[..12]}";
        int d = mean.Length, k = state.Components;
        _projection = new double[(long)d * k];
        for (int c = 0; c < k; c++)
        {
            double scale = Math.Sqrt(Math.Max(state.Eigenvalues[c], 0) + state.Epsilon);
            for (int j = 0; j < d; j++) _projection[(long)j * k + c] = components[(long)c * d + j] / scale;
        }
    }

    /// <summary>
    /// Fits k whitened components on <paramref name="images"/> (k at most min(N - 1, D)). <paramref name="randomized"/>
    /// null picks the exact fit for D up to <see cref="MaxExactDimension"/> and the randomized SVD above; true/false forces
    /// one. <paramref name="threads"/> null = libtorch's setting; the exact fit gives the same bits at any count.
    /// </summary>
    public static PixelPcaEncoder Fit(ImageSet images, int components = 64, double epsilon = 1e-5, int seed = 0, bool? randomized = null,
                                      int? threads = null)
    {
        if (!images.IsInMemory && images.Count > MaxOutOfCoreFitImages)
            images = images.Select(StratifiedSplitter.Split(images.Labels, [SplitPart.OfSize("fit", MaxOutOfCoreFitImages)], seed)["fit"]).InMemory();
        int n = images.Count, d = images.ImageSize;
        if (components < 1 || components > Math.Min(n - 1, d))
            throw new SelectBenchException($"pixel PCA: k = {components} must lie in 1..min(images - 1, pixels) = 1..{Math.Min(n - 1, d)} for {n} images of {d} values.");
        int workers = threads ?? get_num_threads();
        double[] mean, vectors, values;
        string method;
        if (!(randomized ?? d > MaxExactDimension))
        {
            double[] covariance;
            (mean, covariance) = PixelCovariance.Compute(images, workers);
            var eigen = SymmetricEigen.Decompose(covariance, d);
            values = eigen.Values[..components];
            vectors = eigen.Vectors[..(components * d)];
            method = ExactMethod;
        }
        else
        {
            (mean, vectors, values) = RandomizedTopComponents(images, components, seed);
            FixSigns(vectors, components, d);
            method = RandomizedMethod;
        }
        var state = new PixelPcaState(components, images.Channels, images.Height, images.Width, epsilon, values, n, method,
            HashState(mean, vectors, values, epsilon));
        return new PixelPcaEncoder(state, mean, vectors);
    }

    /// <summary>
    /// Halko et al.'s randomized range finder with two power iterations, in libtorch (float64). Every constant goes
    /// through an explicit, disposed Scalar: TorchSharp's implicit Scalars can be finalised while native code reads them.
    /// </summary>
    private static (double[] Mean, double[] Vectors, double[] Values) RandomizedTopComponents(ImageSet images, int k, int seed)
    {
        int n = images.Count, d = images.ImageSize;
        int sketch = Math.Min(k + 10, Math.Min(n, d));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var pixelScale = 255.0.ToScalar();
        using var samples = ((double)(n - 1)).ToScalar();
        // In place: one n x d float64 buffer instead of three (4 GB less at 1,024 images of 192 px; same values).
        Tensor centred;
        using (var bytes = tensor(images.InMemory().Pixels, [n, d])) centred = bytes.to_type(ScalarType.Float64);
        centred.div_(pixelScale);
        var mean = centred.mean([0]);
        centred.sub_(mean);
        using var gen = new Generator((ulong)seed);
        var omega = randn([d, sketch], dtype: ScalarType.Float64, generator: gen);
        var y = centred.matmul(omega);
        for (int i = 0; i < 2; i++)
        {
            var (qi, _) = linalg.qr(y);
            var (zi, _) = linalg.qr(centred.t().matmul(qi));
            y = centred.matmul(zi);
        }
        var (q, _) = linalg.qr(y);
        var b = q.t().matmul(centred); // sketch x d
        var (_, s, vh) = linalg.svd(b, fullMatrices: false);
        var top = s[..k];
        var values = top.mul(top).div(samples);  // s^2 / n; Tensor.square() passes an implicit Scalar (docs/engine.md)
        return (mean.data<double>().ToArray(), vh[..k].contiguous().data<double>().ToArray(), values.data<double>().ToArray());
    }

    /// <summary>The sign convention of <see cref="SymmetricEigen"/>: each component's largest-magnitude entry is positive.</summary>
    private static void FixSigns(double[] vectors, int k, int d)
    {
        for (int c = 0; c < k; c++)
        {
            var row = vectors.AsSpan(c * d, d);
            int largest = 0;
            for (int j = 1; j < d; j++)
                if (Math.Abs(row[j]) > Math.Abs(row[largest])) largest = j;
            if (row[largest] < 0)
                for (int j = 0; j < d; j++) row[j] = -row[j];
        }
    }

    /// <summary>
    /// z_c = sum over pixels j, in order, of (p_j / 255 - mean_j) * projection[j, c], in double, rounded to float at the
    /// end. The sum runs over j for every c at once (Vector256 lanes hold different c, never different j), so the
    /// result is the same bits as the plain scalar loop, at any vector width and thread count.
    /// </summary>
    public Embeddings Encode(ImageSet images)
    {
        if (images.Channels != State.Channels || images.Height != State.Height || images.Width != State.Width)
            throw new SelectBenchException(
                $"{Name}: fitted on {State.Channels}x{State.Height}x{State.Width} images, got {images.Channels}x{images.Height}x{images.Width}; fit a PCA on images of this shape.");
        int n = images.Count, d = images.ImageSize, k = Dimension;
        var output = new float[(long)n * k];
        int blocks = (n + EncodeBlock - 1) / EncodeBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Threads ?? get_num_threads()) }, block =>
        {
            var z = new double[k];
            for (int i = block * EncodeBlock; i < Math.Min(n, (block + 1) * EncodeBlock); i++)
            {
                Project(images.Image(i), z, Vector256.IsHardwareAccelerated);
                var target = output.AsSpan(i * k, k);
                for (int c = 0; c < k; c++) target[c] = (float)z[c];
            }
        });
        return new Embeddings(output, n, k);
    }

    /// <summary>One image's whitened projection into <paramref name="z"/>; <paramref name="simd"/> = false runs the same operations element by element.</summary>
    internal void Project(ReadOnlySpan<byte> pixels, Span<double> z, bool simd)
    {
        int d = _mean.Length, k = Dimension;
        z.Clear();
        var zv = MemoryMarshal.Cast<double, Vector256<double>>(z);
        int vectorised = simd ? zv.Length * Vector256<double>.Count : 0;
        for (int j = 0; j < d; j++)
        {
            double x = pixels[j] / 255.0 - _mean[j];
            var row = _projection.AsSpan(j * k, k);
            if (simd)
            {
                var xv = Vector256.Create(x);
                var rv = MemoryMarshal.Cast<double, Vector256<double>>(row);
                for (int c = 0; c < zv.Length; c++) zv[c] += xv * rv[c];
            }
            for (int c = vectorised; c < k; c++) z[c] += x * row[c];
        }
    }

    /// <summary>Writes pca.json, pca_mean.npy (D) and pca_components.npy (k x D), both float64, into <paramref name="folder"/>.</summary>
    /// <summary>Holds managed arrays only: nothing to free.</summary>
    public void Dispose() { }

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Npy.Write(Path.Combine(folder, MeanFile), _mean, _mean.Length);
        Npy.Write(Path.Combine(folder, ComponentsFile), _components, State.Components, _mean.Length);
        AtomicFile.WriteJson(Path.Combine(folder, StateFile), State); // last: marks a complete save
    }

    public static PixelPcaEncoder Load(string folder)
    {
        var state = Json.Read<PixelPcaState>(Path.Combine(folder, StateFile));
        if (state.Method is not (ExactMethod or RandomizedMethod))
            throw new BadInputException(folder, $"pixel PCA fitted by an older SelectBench (method '{state.Method}', float32 arrays); refit it (the fit is now exact and float64).");
        var (mean, meanShape) = Npy.ReadFloat64(Path.Combine(folder, MeanFile));
        var (comp, compShape) = Npy.ReadFloat64(Path.Combine(folder, ComponentsFile));
        int d = state.Channels * state.Height * state.Width;
        if (meanShape is not [var md] || md != d || compShape is not [var ck, var cd] || ck != state.Components || cd != d || state.Eigenvalues.Length != state.Components)
            throw new BadInputException(folder, $"pixel PCA files disagree with {StateFile} (mean {string.Join(",", meanShape)}, components {string.Join(",", compShape)}, expected k={state.Components}, D={d}); refit and save again.");
        if (HashState(mean, comp, state.Eigenvalues, state.Epsilon) != state.StateHash)
            throw new BadInputException(folder, "pixel PCA arrays do not match the hash in pca.json (files mixed from two fits?); refit and save again.");
        return new PixelPcaEncoder(state, mean, comp);
    }

    private static string HashState(double[] mean, double[] components, double[] eigenvalues, double epsilon)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(mean.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(components.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(eigenvalues.AsSpan()));
        hash.AppendData(BitConverter.GetBytes(epsilon));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
