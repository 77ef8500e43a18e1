using SelectBench.Data;

namespace SelectBench.Encoders;

/// <summary>Row-major embeddings: <c>Count</c> rows of <c>Dimension</c> floats.</summary>
public sealed record Embeddings(float[] Data, int Count, int Dimension)
{
    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(i * Dimension, Dimension);
}

/// <summary>
/// A fixed image embedding (DESIGN section 1: "encoder"). Implementations: pixel PCA, ONNX models,
/// a TorchSharp checkpoint's penultimate layer, the self-supervised encoder.
/// </summary>
public interface IImageEncoder
{
    /// <summary>A stable name that identifies the encoder and its weights; part of cache keys.</summary>
    string Name { get; }
    int Dimension { get; }
    Embeddings Encode(ImageSet images);
}
