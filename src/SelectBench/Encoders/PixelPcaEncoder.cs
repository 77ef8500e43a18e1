using System.Security.Cryptography;
using SelectBench.Common;
using SelectBench.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Encoders;

/// <summary>Saved state of a fitted <see cref="PixelPcaEncoder"/> (pca.json; the arrays sit beside it as .npy).</summary>
public sealed record PixelPcaState(int Components, int Channels, int Height, int Width, double Epsilon,
                                   double[] Eigenvalues, int FittedOn, string Method, string StateHash);

/// <summary>
/// Whitened principal components of raw pixels: x = pixels / 255 (flattened C*H*W), centred by the fitted
/// mean, projected on the top k eigenvectors of the covariance and divided by sqrt(eigenvalue + epsilon),
/// so every output dimension has unit variance on the fitting set. The fast default encoder for small grey
/// images (DESIGN section 1). Fit: eigendecomposition of the D x D covariance in double precision
/// (torch.linalg.eigh) for D up to <see cref="MaxExactDimension"/>; above that a randomized SVD
/// (Halko, Martinsson and Tropp 2011, algorithm 4.4 with two power iterations).
/// </summary>
public sealed class PixelPcaEncoder : IImageEncoder
{
    public const int MaxExactDimension = 4096;
    private const string StateFile = "pca.json", MeanFile = "pca_mean.npy", ComponentsFile = "pca_components.npy";

    private readonly float[] _mean;        // D
    private readonly float[] _components;  // k x D, unit rows, sorted by decreasing eigenvalue
    private readonly float[] _projection;  // D x k: components^T / sqrt(eigenvalue + epsilon)

    public PixelPcaState State { get; }
    public string Name { get; }
    public int Dimension => State.Components;
    public int BatchSize { get; init; } = 4096;

    private PixelPcaEncoder(PixelPcaState state, float[] mean, float[] components)
    {
        State = state;
        _mean = mean;
        _components = components;
        Name = $"pixel-pca-k{state.Components}-{state.StateHash[..12]}";
        int d = mean.Length, k = state.Components;
        var scale = state.Eigenvalues.Select(e => (float)(1.0 / Math.Sqrt(Math.Max(e, 0) + state.Epsilon))).ToArray();
        using var c = tensor(components, [k, d]);
        using var s = tensor(scale, [1, k]);
        using var p = (c.t() * s).contiguous();
        _projection = p.data<float>().ToArray();
    }

    /// <summary>
    /// Fits k whitened components on <paramref name="images"/> (k at most min(N - 1, D)). <paramref name="randomized"/>
    /// null picks eigh for D up to <see cref="MaxExactDimension"/> and the randomized SVD above; true/false forces one.
    /// </summary>
    public static PixelPcaEncoder Fit(ImageSet images, int components = 64, double epsilon = 1e-5, int seed = 0, bool? randomized = null)
    {
        int n = images.Count, d = images.ImageSize;
        if (components < 1 || components > Math.Min(n - 1, d))
            throw new SelectBenchException($"pixel PCA: k = {components} must lie in 1..min(images - 1, pixels) = 1..{Math.Min(n - 1, d)} for {n} images of {d} values.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(images.Pixels, [n, d]).to_type(ScalarType.Float64) / 255.0;
        var mean = x.mean([0]);
        var centred = x - mean;
        Tensor vectors, values; // vectors: d x k, values: k, decreasing
        string method;
        if (!(randomized ?? d > MaxExactDimension))
        {
            var cov = centred.t().matmul(centred) / (n - 1);
            var (l, q) = linalg.eigh(cov); // ascending
            values = l.flip(0)[..components];
            vectors = q.flip(1)[.., ..components];
            method = "eigh";
        }
        else
        {
            (vectors, values) = RandomizedTopComponents(centred, components, seed);
            method = "randomized-svd";
        }
        // Eigenvectors are defined up to sign; fix it (largest-magnitude entry positive) so that refits and
        // other machines give the same embeddings.
        var maxIdx = vectors.abs().argmax(0);
        var signs = vectors.gather(0, maxIdx.unsqueeze(0)).sign();
        vectors = vectors * signs;
        var meanF = mean.to_type(ScalarType.Float32).data<float>().ToArray();
        var compF = vectors.t().contiguous().to_type(ScalarType.Float32).data<float>().ToArray();
        var eig = values.data<double>().ToArray();
        var state = new PixelPcaState(components, images.Channels, images.Height, images.Width, epsilon, eig, n, method, HashState(meanF, compF, eig, epsilon));
        return new PixelPcaEncoder(state, meanF, compF);
    }

    private static (Tensor Vectors, Tensor Values) RandomizedTopComponents(Tensor centred, int k, int seed)
    {
        long n = centred.shape[0], d = centred.shape[1];
        int sketch = (int)Math.Min(k + 10, Math.Min(n, d));
        var gen = new Generator((ulong)seed);
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
        var values = s[..k].square() / (n - 1);
        return (vh[..k].t(), values);
    }

    public Embeddings Encode(ImageSet images)
    {
        if (images.Channels != State.Channels || images.Height != State.Height || images.Width != State.Width)
            throw new SelectBenchException(
                $"{Name}: fitted on {State.Channels}x{State.Height}x{State.Width} images, got {images.Channels}x{images.Height}x{images.Width}; fit a PCA on images of this shape.");
        int n = images.Count, d = images.ImageSize, k = Dimension;
        var output = new float[n * k];
        using var meanT = tensor(_mean, [1, d]);
        using var projection = tensor(_projection, [d, k]);
        for (int start = 0; start < n; start += BatchSize)
        {
            int m = Math.Min(BatchSize, n - start);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = tensor(images.Pixels.AsSpan(start * d, m * d).ToArray(), [m, d]).to_type(ScalarType.Float32) / 255f;
            var z = (x - meanT).matmul(projection);
            Array.Copy(z.data<float>().ToArray(), 0, output, start * k, m * k);
        }
        return new Embeddings(output, n, k);
    }

    /// <summary>Writes pca.json, pca_mean.npy (D) and pca_components.npy (k x D) into <paramref name="folder"/>.</summary>
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
        var (mean, meanShape) = Npy.ReadFloat32(Path.Combine(folder, MeanFile));
        var (comp, compShape) = Npy.ReadFloat32(Path.Combine(folder, ComponentsFile));
        int d = state.Channels * state.Height * state.Width;
        if (meanShape is not [var md] || md != d || compShape is not [var ck, var cd] || ck != state.Components || cd != d || state.Eigenvalues.Length != state.Components)
            throw new BadInputException(folder, $"pixel PCA files disagree with {StateFile} (mean {string.Join(",", meanShape)}, components {string.Join(",", compShape)}, expected k={state.Components}, D={d}); refit and save again.");
        if (HashState(mean, comp, state.Eigenvalues, state.Epsilon) != state.StateHash)
            throw new BadInputException(folder, "pixel PCA arrays do not match the hash in pca.json (files mixed from two fits?); refit and save again.");
        return new PixelPcaEncoder(state, mean, comp);
    }

    private static string HashState(float[] mean, float[] components, double[] eigenvalues, double epsilon)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(mean.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(components.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(eigenvalues.AsSpan()));
        hash.AppendData(BitConverter.GetBytes(epsilon));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
