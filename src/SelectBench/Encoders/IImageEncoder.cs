using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

/// <summary>
/// A fixed image embedding (docs/encoders.md). Implementations: pixel PCA, ONNX models, a TorchSharp
/// checkpoint's penultimate layer, the self-supervised encoder. Encoders that hold native resources (ONNX
/// sessions, TorchSharp modules) free them in <see cref="IDisposable.Dispose"/>; the others do nothing there.
/// </summary>
public interface IImageEncoder : IDisposable
{
    /// <summary>A stable name that identifies the encoder and its weights; part of cache keys.</summary>
    string Name { get; }
    int Dimension { get; }
    Embeddings Encode(ImageSet images);
}
