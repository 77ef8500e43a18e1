using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

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
