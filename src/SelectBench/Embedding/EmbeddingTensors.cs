using SelectBench.Engine;
using SelectBench.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Embedding;

/// <summary>
/// Shared linear algebra for the embedding metrics: conversion to TorchSharp tensors, row
/// normalisation, symmetric eigen-decomposition (LAPACK through <c>torch.linalg.eigh</c>, in double
/// precision) and block-wise products so that n x n matrices of 10k-row sets never live in memory at once.
/// Callers own the returned tensors (use them inside a <c>torch.NewDisposeScope()</c>).
/// </summary>
internal static class EmbeddingTensors
{
    /// <summary>Rows per block of an n x m product: 1024 x 10k doubles is 80 MB.</summary>
    public const int BlockRows = 1024;

    public static Tensor ToTensor(Embeddings e, ScalarType type = ScalarType.Float64)
    {
        using var t = torch.tensor(e.Data, new long[] { e.Count, e.Dimension });
        return t.to_type(type);
    }

    /// <summary>Rows scaled to unit L2 norm; zero rows stay zero (torch.nn.functional.normalize, eps 1e-12).</summary>
    public static Tensor NormaliseRows(Tensor x) => nn.functional.normalize(x, p: 2, dim: 1, eps: 1e-12);

    /// <summary>Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, in double precision.</summary>
    public static (Tensor Values, Tensor Vectors) SymmetricEigen(Tensor symmetric)
    {
        using var d = symmetric.to_type(ScalarType.Float64);
        using var sym = Symmetrised(d);
        var (values, vectors) = linalg.eigh(sym);
        return (values, vectors);
    }

    public static double[] SymmetricEigenvalues(Tensor symmetric)
    {
        using var d = symmetric.to_type(ScalarType.Float64);
        using var sym = Symmetrised(d);
        using var values = linalg.eigvalsh(sym);
        return values.data<double>().ToArray();
    }

    /// <summary>Squared Euclidean distances |a_i|^2 + |b_j|^2 - 2 a_i.b_j, clamped at 0 against round-off.</summary>
    public static Tensor SquaredDistances(Tensor a, Tensor aSquaredNorms, Tensor b, Tensor bSquaredNorms)
    {
        using var dot = a.matmul(b.t());
        using var sum = Scalars.Add(aSquaredNorms.unsqueeze(1), bSquaredNorms.unsqueeze(0)).sub_(Scalars.Mul(dot, 2));
        return sum.clamp_min(Scalars.Zero);
    }

    /// <summary>(d + d^T) / 2: removes the round-off asymmetry before a symmetric eigen-solver.</summary>
    private static Tensor Symmetrised(Tensor d)
    {
        using var scope = NewDisposeScope();
        return Scalars.DivInPlace(Scalars.Add(d, d.t()), 2).MoveToOuterDisposeScope();
    }

    public static Tensor SquaredNorms(Tensor x) => (x * x).sum(1);

    /// <summary>Calls <paramref name="visit"/> with (first row, rows) for consecutive row blocks of an n-row tensor.</summary>
    public static void ForEachBlock(long rows, Action<long, long> visit, int blockRows = BlockRows)
    {
        for (long start = 0; start < rows; start += blockRows)
            visit(start, Math.Min(blockRows, rows - start));
    }
}
