using static TorchSharp.torch;

namespace SelectBench.Tests;

internal static class TensorComparison
{
    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(this Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
