using System.Security.Cryptography;
using SelectBench.Data;
using SelectBench.Evaluation.Classifiers;

namespace SelectBench.Encoders;

/// <summary>
/// The penultimate layer (globally pooled features) of a SelectBench checkpoint as a fixed image encoder,
/// e.g. the expert model's features for embedding search or image-quality metrics.
/// </summary>
public sealed class CheckpointEncoder : IImageEncoder, IDisposable
{
    private readonly TorchSharpClassifier classifier;

    /// <summary>"checkpoint:{architecture}:{first 12 hex digits of the file's SHA-256}": changes when the weights do.</summary>
    public string Name { get; }
    public int Dimension => classifier.Model.FeatureDimension;

    public CheckpointEncoder(string checkpointPath, string device = "cpu")
    {
        classifier = TorchSharpClassifier.Load(checkpointPath, device);
        using var fs = File.OpenRead(checkpointPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(fs))[..12];
        Name = $"checkpoint:{classifier.Metadata.Model.Name}:{hash}";
    }

    public Embeddings Encode(ImageSet images) => new(classifier.Features(images), images.Count, Dimension);

    public void Dispose() => classifier.Dispose();
}
