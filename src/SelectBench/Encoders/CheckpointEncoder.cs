using System.Security.Cryptography;
using SelectBench.Data;
using SelectBench.Models;
using SelectBench.Training;
using TorchSharp;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

/// <summary>
/// The penultimate layer (globally pooled features) of a SelectBench checkpoint as a fixed image encoder,
/// e.g. the expert model's features for embedding search or image-quality metrics.
/// </summary>
public sealed class CheckpointEncoder : IImageEncoder
{
    private readonly CheckpointMetadata metadata;
    private readonly ClassifierNet model;
    private readonly torch.Device device;

    /// <summary>"checkpoint:{architecture}:{first 12 hex digits of the file's SHA-256}": changes when the weights do.</summary>
    public string Name { get; }
    public int Dimension => model.FeatureDimension;

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 256;

    public CheckpointEncoder(string checkpointPath, string device = "cpu")
    {
        this.device = Trainer.ResolveDevice(device);
        (metadata, model) = TrainingCheckpoint.LoadModel(checkpointPath);
        model.to(this.device);
        model.eval();
        using var fs = File.OpenRead(checkpointPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(fs))[..12];
        Name = $"checkpoint:{metadata.Model.Name}:{hash}";
    }

    public Embeddings Encode(ImageSet images) =>
        new(ModelInference.Features(model, metadata.Normalization, metadata.Height, metadata.Width, images, device, BatchSize), images.Count, Dimension);

    public void Dispose() => model.Dispose();
}
